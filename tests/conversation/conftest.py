"""The trained model in-process (rasa Agent), with a real action server on a private port."""

import os
import subprocess
import time
import urllib.request

import pytest

from tests.support.stack import PROJECT, free_port

MODEL = PROJECT / "models" / "current.tar.gz"


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("conversation")
    os.environ["DATA_DIR"] = str(d)
    os.environ.pop("DATABASE_URL", None)
    from bot import privacy
    from bot.record import db
    from bot.settings import reset_settings

    reset_settings()  # read again, with this DATA_DIR

    # The keys of this data folder, as the action server started below reads them (references carry a
    # keyed check character: this process and the action server must agree on it).
    privacy._pseudonym_key.cache_clear()
    privacy._fernet.cache_clear()
    db.reset_engines()
    db.upgrade()
    return d


@pytest.fixture(scope="session")
def action_server(data_dir):
    port = free_port()
    env = dict(os.environ, DATA_DIR=str(data_dir), RASA_TELEMETRY_ENABLED="false")
    proc = subprocess.Popen(
        [
            str(PROJECT / ".venv" / "bin" / "python"),
            "-m",
            "bot.action_server",
            "--actions",
            "actions",
            "--port",
            str(port),
        ],
        cwd=PROJECT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2)
            break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        raise RuntimeError("action server did not start")
    yield f"http://127.0.0.1:{port}/webhook"
    proc.terminate()
    proc.wait(timeout=20)


@pytest.fixture(scope="session")
def agent(action_server):
    from rasa.core.agent import Agent
    from rasa.utils.endpoints import EndpointConfig

    assert MODEL.exists(), "train the model first (make setup)"
    return Agent.load(str(MODEL), action_endpoint=EndpointConfig(action_server))


class Talk:
    """One conversation with the in-process agent."""

    def __init__(self, agent, sender):
        self.agent, self.sender = agent, sender

    async def say(self, text, metadata=None):
        from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

        out = CollectingOutputChannel()
        await self.agent.handle_message(UserMessage(text, out, self.sender, input_channel="rest", metadata=metadata))
        return out.messages

    async def tracker(self):
        return await self.agent.tracker_store.retrieve(self.sender)


@pytest.fixture()
def talk(agent, request):
    return Talk(agent, f"conv-{request.node.name[:40]}-{time.time_ns()}")
