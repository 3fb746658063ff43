import pytest

from tests.support.fake_twilio import FakeTwilio
from tests.support.stack import Stack

SMS = {
    "TWILIO_ACCOUNT_SID": "ACtest",
    "TWILIO_AUTH_TOKEN": "test-token-123",
    "TWILIO_NUMBER": "+447700900000",
    "PUBLIC_URL": "https://sms.example.test",
    "SMS_DEV": "1",
    "SMS_RATE_PER_MINUTE": "40",
}


@pytest.fixture(scope="session")
def fake_twilio():
    f = FakeTwilio().start()
    yield f
    f.stop()


@pytest.fixture(scope="session")
def stack(tmp_path_factory, fake_twilio):
    s = Stack(tmp_path_factory.mktemp("stack"), env={**SMS, "TWILIO_API_BASE": fake_twilio.base}).start()
    yield s
    s.stop()
