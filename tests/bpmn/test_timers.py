"""Timers beyond the plain ones: the timer branch of an event-based gateway, timers inside
multi-instance bodies and inside subprocesses — each gets its job, fires once, and is withdrawn
with its job when its scope ends first."""
from __future__ import annotations

from datetime import timedelta

from tests.bpmn.conftest import BothWays, Desk, Run, diagram

RACE = diagram("race", """
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="which_first" />
    <bpmn:eventBasedGateway id="which_first" name="Which comes first?"><bpmn:incoming>f1</bpmn:incoming>
      <bpmn:outgoing>f2</bpmn:outgoing><bpmn:outgoing>f3</bpmn:outgoing></bpmn:eventBasedGateway>
    <bpmn:sequenceFlow id="f2" sourceRef="which_first" targetRef="one_day" />
    <bpmn:intermediateCatchEvent id="one_day" name="One day"><bpmn:incoming>f2</bpmn:incoming>
      <bpmn:outgoing>f4</bpmn:outgoing>
      <bpmn:timerEventDefinition><bpmn:timeDuration>short</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f3" sourceRef="which_first" targetRef="two_days" />
    <bpmn:intermediateCatchEvent id="two_days" name="Two days"><bpmn:incoming>f3</bpmn:incoming>
      <bpmn:outgoing>f5</bpmn:outgoing>
      <bpmn:timerEventDefinition><bpmn:timeDuration>"P2D"</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f4" sourceRef="one_day" targetRef="after_short" />
    <bpmn:userTask id="after_short" name="After the short wait"><bpmn:incoming>f4</bpmn:incoming>
      <bpmn:outgoing>f6</bpmn:outgoing></bpmn:userTask>
    <bpmn:sequenceFlow id="f5" sourceRef="two_days" targetRef="after_long" />
    <bpmn:userTask id="after_long" name="After the long wait"><bpmn:incoming>f5</bpmn:incoming>
      <bpmn:outgoing>f7</bpmn:outgoing></bpmn:userTask>
    <bpmn:sequenceFlow id="f6" sourceRef="after_short" targetRef="done_short" />
    <bpmn:endEvent id="done_short"><bpmn:incoming>f6</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f7" sourceRef="after_long" targetRef="done_long" />
    <bpmn:endEvent id="done_long"><bpmn:incoming>f7</bpmn:incoming></bpmn:endEvent>""")


def test_the_first_timer_of_an_event_based_gateway_wins_and_the_other_is_withdrawn(desk: Desk) -> None:
    desk.deploy(RACE)
    run = desk.start("race", {"short": "P1D"})
    assert run.ready() == []
    assert run.advance(timedelta(days=1)) == 1
    assert run.ready() == ["after_short"]
    assert run.advance(timedelta(days=5)) == 0  # the other branch's job went with it
    run.complete("after_short", {})
    assert run.status == "completed"
    assert [e.task_spec for e in run.events() if e.type == "timer_fired"] == ["which_first"]
    done = [e.task_spec for e in run.events() if e.type == "task_done"]
    assert "one_day" in done and "two_days" not in done


def test_an_event_based_timer_race_records_the_same_history_warm_and_cold(both_ways: BothWays) -> None:
    def scenario(desk: Desk) -> Run:
        desk.deploy(RACE)
        run = desk.start("race", {"short": "P3D"})
        desk.advance(timedelta(days=2))
        desk.advance(timedelta(days=2))
        run.complete("after_long", {})
        return run

    warm, _ = both_ways(scenario)
    done = [e.task_spec for e in warm.events() if e.type == "task_done"]
    assert "two_days" in done and "one_day" not in done


def _inner_wait(loop: str = "") -> str:
    return f"""
    <bpmn:subProcess id="inner" name="Wait, then check"><bpmn:incoming>f1</bpmn:incoming>
      <bpmn:outgoing>f2</bpmn:outgoing>{loop}
      <bpmn:startEvent id="inner_start"><bpmn:outgoing>g1</bpmn:outgoing></bpmn:startEvent>
      <bpmn:sequenceFlow id="g1" sourceRef="inner_start" targetRef="cool_off" />
      <bpmn:intermediateCatchEvent id="cool_off" name="Cool off"><bpmn:incoming>g1</bpmn:incoming>
        <bpmn:outgoing>g2</bpmn:outgoing>
        <bpmn:timerEventDefinition><bpmn:timeDuration>"PT2H"</bpmn:timeDuration></bpmn:timerEventDefinition>
      </bpmn:intermediateCatchEvent>
      <bpmn:sequenceFlow id="g2" sourceRef="cool_off" targetRef="check" />
      <bpmn:userTask id="check" name="Check"><bpmn:incoming>g2</bpmn:incoming><bpmn:outgoing>g3</bpmn:outgoing>
      </bpmn:userTask>
      <bpmn:sequenceFlow id="g3" sourceRef="check" targetRef="inner_end" />
      <bpmn:endEvent id="inner_end"><bpmn:incoming>g3</bpmn:incoming></bpmn:endEvent>
    </bpmn:subProcess>"""


def with_deadline(inner: str) -> str:
    return diagram("timed_inner", f"""
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="inner" />{inner}
    <bpmn:sequenceFlow id="f2" sourceRef="inner" targetRef="done" />
    <bpmn:endEvent id="done"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:boundaryEvent id="deadline" name="Deadline" attachedToRef="inner">
      <bpmn:outgoing>f3</bpmn:outgoing>
      <bpmn:timerEventDefinition><bpmn:timeDuration>"P1D"</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f3" sourceRef="deadline" targetRef="late" />
    <bpmn:userTask id="late" name="Handle the late case"><bpmn:incoming>f3</bpmn:incoming>
      <bpmn:outgoing>f4</bpmn:outgoing></bpmn:userTask>
    <bpmn:sequenceFlow id="f4" sourceRef="late" targetRef="late_end" />
    <bpmn:endEvent id="late_end"><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>""")


def test_a_timer_inside_a_subprocess_fires_and_the_subprocess_goes_on(desk: Desk) -> None:
    desk.deploy(with_deadline(_inner_wait()))
    run = desk.start("timed_inner")
    assert run.ready() == []
    assert run.advance(timedelta(hours=2)) == 1
    assert run.ready() == ["check"]
    run.complete("check", {})
    assert run.status == "completed"
    assert run.advance(timedelta(days=2)) == 0  # the deadline's job ended with the subprocess


def test_a_deadline_on_a_subprocess_withdraws_its_inner_timer_and_tasks(desk: Desk) -> None:
    desk.deploy(with_deadline(_inner_wait()))
    run = desk.start("timed_inner")
    run.advance(timedelta(hours=3))
    assert run.ready() == ["check"]
    assert run.advance(timedelta(days=1)) == 1
    assert run.ready() == ["late"]
    run.complete("late", {})
    assert run.status == "completed"


MI_LOOP = ('<bpmn:multiInstanceLoopCharacteristics isSequential="false">'
           '<bpmn:loopCardinality>3</bpmn:loopCardinality></bpmn:multiInstanceLoopCharacteristics>')


def test_timers_inside_a_parallel_multi_instance_subprocess_each_get_a_job(both_ways: BothWays) -> None:
    def scenario(desk: Desk) -> Run:
        desk.deploy(with_deadline(_inner_wait(MI_LOOP)))
        run = desk.start("timed_inner")
        assert run.ready() == []
        assert desk.advance(timedelta(hours=2)) == 3
        assert run.ready() == ["check"] * 3
        for _ in range(3):
            run.complete("check", {})
        assert run.status == "completed"
        return run

    both_ways(scenario)


def test_a_deadline_on_a_multi_instance_subprocess_withdraws_every_instance(desk: Desk) -> None:
    desk.deploy(with_deadline(_inner_wait(MI_LOOP)))
    run = desk.start("timed_inner")
    run.advance(timedelta(hours=2))
    run.complete("check", {})
    assert run.advance(timedelta(days=1)) == 1
    assert run.ready() == ["late"]
    assert run.types().count("task_withdrawn") == 2
    run.complete("late", {})
    assert run.status == "completed"


def timer_started(definition: str) -> str:
    return diagram("timed", f"""
    <bpmn:startEvent id="start" name="On schedule"><bpmn:outgoing>f1</bpmn:outgoing>
      <bpmn:timerEventDefinition>{definition}</bpmn:timerEventDefinition></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="do_it" />
    <bpmn:userTask id="do_it" name="Do it"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="do_it" targetRef="done" />
    <bpmn:endEvent id="done"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>""")


def test_a_repeating_timer_start_starts_exactly_its_repetitions_whichever_worker_runs_it(desk: Desk) -> None:
    desk.deploy(timer_started('<bpmn:timeCycle>"R2/PT1H"</bpmn:timeCycle>'))
    fired = [desk.advance(timedelta(minutes=61)) for _ in range(4)]
    # Cold, every hour is served by a freshly started worker; none starts the cycle over.
    assert fired == [1, 1, 0, 0]
    assert [run.ready() for run in desk.instances("timed")] == [["do_it"], ["do_it"]]


def test_a_timer_start_at_a_date_in_the_past_starts_one_instance_once(desk: Desk) -> None:
    desk.deploy(timer_started('<bpmn:timeDate>"2001-01-01T00:00:00Z"</bpmn:timeDate>'))
    fired = [desk.advance(timedelta(minutes=1)) for _ in range(3)]
    assert fired == [1, 0, 0]
    assert len(desk.instances("timed")) == 1
