"""`python -m bot report --csv` prints the same numbers as the JSON report (CONTRACT section 6)."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess

from bot.record import db
from bot.record.catalogue import statements, statements_for
from bot.record.store import Store
from tests.support.stack import PROJECT


def bot_cli(url: str, *args: str) -> str:
    env = dict(os.environ, DATABASE_URL=url)
    out = subprocess.run(
        [str(PROJECT / ".venv" / "bin" / "python"), "-m", "bot", *args],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_the_csv_report_matches_the_json_report(backend):
    _, url = backend
    db.upgrade(url)
    store = Store(url)
    sids = list(statements())
    store.record_interactions(
        [(f"c{i}", "rest", "utter_ask_advocacy", None) for i in range(3)] + [("c9", "sms", "action_recommend", None)]
    )
    for conv, score in (("c1", 5), ("c2", 4), ("c3", 4)):
        store.add_feedback(conv, "rest", sids[0], score)
    store.add_feedback("c1", "rest", sids[-1], 1)
    db.reset_engines()

    report = json.loads(bot_cli(url, "report", "expectations", "--json"))["statements"]
    for text in (bot_cli(url, "report", "--csv"), bot_cli(url, "report", "expectations", "--csv")):
        rows = list(csv.reader(io.StringIO(text)))
        assert rows[0] == ["statement_id", "stage", "statement", "interactions", "feedback_count", "feedback_mean"]
        body = rows[1:]
        assert [r[0] for r in body] == list(report) == sids
        for sid, stage, statement, interactions, count, mean in body:
            want = report[sid]
            assert statement == statements()[sid].text and stage == statements()[sid].stage_name
            assert int(interactions) == want["interactions"]
            assert int(count) == want["feedback"]["count"]
            assert (float(mean) if mean else None) == want["feedback"]["mean"]
    # And the numbers are the ones recorded.
    assert report[sids[0]]["feedback"] == {"count": 3, "mean": 4.33}
    assert report[sids[-1]]["feedback"] == {"count": 1, "mean": 1.0}
    for sid in statements_for("utter_ask_advocacy"):
        assert report[sid]["interactions"] == 3 + (sid in statements_for("action_recommend"))
