"""send_notices: a transition's notices in one activity, each still sent once per recipient and channel."""

import pytest
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.notify import EmailNotifier, NotifyActivities
from core.messages import Notice, Recipients
from tests.activities.test_notify import db, notice, recorded, settings, sink  # noqa: F401 (fixtures)


class RefusesOnce(EmailNotifier):
    """The e-mail channel, but the first attempt to one address fails (its mail server said no)."""

    def __init__(self, *args, refuse: str, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.refuse, self.refused = refuse, 0

    async def send(self, to, template, context, attachments=()):  # type: ignore[no-untyped-def]
        if to == self.refuse and not self.refused:
            self.refused += 1
            raise ConnectionError(f"cannot connect for {to}")
        return await super().send(to, template, context, attachments)


async def run(activities: NotifyActivities, notices: list[Notice]) -> int:
    return await ActivityEnvironment().run(activities.send_notices, notices)


async def test_a_batch_sends_each_notice_once(settings, sink, db):  # noqa: F811
    _, engine, ids = db
    activities = NotifyActivities(settings, engine)
    batch = [notice(Recipients(user_ids=[ids["applicant"]]), "submitted"),
             notice(Recipients(user_ids=[ids["officer"]], roles=["kepala_dinas"], agency="ponorogo"), "task")]
    assert await run(activities, batch) == 3
    assert await run(activities, batch) == 0  # a retried batch: everything was recorded
    assert sorted(m["to"] for m in sink.messages()) == ["budi@ponorogo.test", "kadis@ponorogo.test", "siti@umkm.test"]
    assert [len(recorded(engine, n.key)) for n in batch] == [1, 2]


async def test_a_failing_recipient_holds_none_of_the_others_and_only_it_is_retried(settings, sink, db):  # noqa: F811
    _, engine, ids = db
    flaky = RefusesOnce(settings, engine, refuse="budi@ponorogo.test")
    activities = NotifyActivities(settings, engine, notifiers=[flaky])
    batch = [notice(Recipients(user_ids=[ids["officer"]], roles=["kepala_dinas"], agency="ponorogo"), "task"),
             notice(Recipients(user_ids=[ids["applicant"]]), "submitted")]
    with pytest.raises(ConnectionError, match="connect"):  # the activity fails, so Temporal retries it ...
        await run(activities, batch)
    assert sorted(m["to"] for m in sink.messages()) == ["kadis@ponorogo.test", "siti@umkm.test"]  # ... after the rest
    assert await run(activities, batch) == 1  # the retry sends the one that failed, nothing twice
    assert sorted(m["to"] for m in sink.messages()) == ["budi@ponorogo.test", "kadis@ponorogo.test", "siti@umkm.test"]


async def test_an_unknown_template_fails_for_good_after_the_others_went(settings, sink, db):  # noqa: F811
    _, engine, ids = db
    batch = [notice(Recipients(user_ids=[ids["officer"]]), "tidak_ada"),
             notice(Recipients(user_ids=[ids["applicant"]]), "approved")]
    with pytest.raises(ApplicationError) as error:
        await run(NotifyActivities(settings, engine), batch)
    assert error.value.non_retryable
    assert [m["to"] for m in sink.messages()] == ["siti@umkm.test"]
