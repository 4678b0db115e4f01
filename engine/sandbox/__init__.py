"""The scripting sandbox: RestrictedPython policy and the script engine built on it."""
