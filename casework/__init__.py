"""The regulation's own domain: archive register and guard, number series, progress, demo organisation."""
