"""One settings object (issue 14, point 3): read once, checked, the only reader of the environment,
and the README's table of variables matches it."""

from __future__ import annotations

import ast
import dataclasses
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import List

import pytest

from bot.settings import PROJECT_DIR, Settings, SettingsError, get_settings, reset_settings

# ------------------------------------------------------------------------------ values


def error_of(**env: str) -> str:
    with pytest.raises(SettingsError) as e:
        Settings.from_env(env)
    return str(e.value)


def test_the_defaults_without_any_variable():
    s = Settings.from_env({})
    assert (s.rasa_port, s.action_port, s.web_port, s.rasa_servers) == (5005, 5055, 8080, 1)
    assert s.data_dir == PROJECT_DIR / "var" and s.database_url is None and s.redis_url is None
    assert s.retention_days == 365 and s.retention_auto is True and s.sms_dev is False
    assert s.run_only == ("actions", "rasa", "web") and s.log_format == "text" and s.log_level == "INFO"
    assert s.allowed_origins == ("http://localhost:8080", "http://127.0.0.1:8080")
    assert s.default_nation is None and s.rasa_instance == "rasa" and s.metrics_port == 0


def test_values_are_parsed_into_their_types():
    s = Settings.from_env(
        {
            "RASA_PORT": " 6123 ",
            "DATA_DIR": "/tmp/x",
            "RETENTION_AUTO": "no",
            "SMS_DEV": "TRUE",
            "DEFAULT_NATION": "Northern Ireland",
            "RUN_ONLY": "web, rasa",
            "LOG_LEVEL": "warning",
            "LOG_FORMAT": "JSON",
            "RASA_URLS": "http://rasa-1:5005/, http://rasa-2:5005",
            "DATABASE_URL": "sqlite:////tmp/record.db",
            "REDIS_URL": "redis://:pw@redis:6379/0",
            "METRICS_PORT": "9102",
            "INBOX_TRUST_PROXY": "1",
        }
    )
    assert s.rasa_port == 6123 and s.data_dir == Path("/tmp/x") and s.retention_auto is False and s.sms_dev
    assert s.default_nation == "northern_ireland" and s.run_only == ("rasa", "web")
    assert s.log_level == "WARNING" and s.log_format == "json" and s.metrics_port == 9102 and s.inbox_trust_proxy
    assert s.rasa_urls == ("http://rasa-1:5005", "http://rasa-2:5005")


def test_an_empty_value_is_unset():
    assert Settings.from_env({"RASA_PORT": "", "DEFAULT_NATION": "  ", "RETENTION_AUTO": ""}) == Settings()


@pytest.mark.parametrize(
    "name, value, accepts",
    [
        ("RASA_PORT", "abc", "a port number 1-65535"),
        ("WEB_PORT", "0", "a port number 1-65535"),
        ("ACTION_PORT", "70000", "a port number 1-65535"),
        ("METRICS_PORT", "-1", "a port number 1-65535, or 0 for none"),
        ("RETENTION_DAYS", "0", "a whole number 1 or more"),
        ("REFERENCE_LOOKUPS_PER_HOUR", "ten", "a whole number 1 or more"),
        ("SANIC_REQUEST_MAX_SIZE", "10", "a whole number 1024 or more"),
        ("RETENTION_AUTO", "maybe", "1 or 0 (or true/false, yes/no, on/off)"),
        ("SMS_DEV", "2", "1 or 0"),
        ("PUBLIC_URL", "complaints.example.org", "a URL like https://host:port"),
        ("WIDGET_RASA_URL", "ftp://chat.example.org", "a URL like https://host:port"),
        ("ALLOWED_ORIGINS", "https://a.example.org,b.example.org", "comma-separated URLs"),
        ("RASA_URLS", "rasa-1:5005", "comma-separated URLs"),
        ("DEFAULT_NATION", "france", "one of england, scotland, wales, northern_ireland"),
        ("LOG_FORMAT", "xml", "one of text, json"),
        ("LOG_LEVEL", "loud", "one of DEBUG, INFO, WARNING, ERROR, CRITICAL"),
        ("RUN_ONLY", "rasa,nginx", "parts from actions, rasa, web"),
        ("RASA_INSTANCE", "../x", "a name of letters, digits"),
        ("ACTION_HOST", "http://0.0.0.0", "a host name or an IP address"),
    ],
)
def test_a_bad_value_is_one_line_naming_the_variable_and_what_it_accepts(name, value, accepts):
    message = error_of(**{name: value})
    assert message.startswith(f"{name}: expected {accepts}") and message.endswith(f"got {value!r}")
    assert "\n" not in message


@pytest.mark.parametrize(
    "name, value",
    [
        ("DATABASE_URL", "postgres-server"),
        ("REDIS_URL", "http://redis:6379"),
        ("CONTACT_KEY", "not a key"),
        ("INBOX_SESSION_KEY", "short"),
    ],
)
def test_a_bad_secret_is_named_but_never_shown(name, value):
    message = error_of(**{name: value})
    assert message.startswith(f"{name}: expected ") and value not in message
    assert message.endswith(f"got a value of {len(value)} characters")


def test_secrets_are_not_in_the_settings_repr():
    s = Settings.from_env(
        {
            "PSEUDONYM_KEY": "pseudo-secret",
            "TWILIO_AUTH_TOKEN": "tw-secret",
            "DATABASE_URL": "postgresql://u:db-secret@h/d",
            "METRICS_TOKEN": "m-secret",
        }
    )
    assert not re.search(r"secret", repr(s))


def test_settings_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        Settings().rasa_port = 1  # type: ignore[misc]


def test_read_once_until_reset(monkeypatch):
    monkeypatch.setenv("RASA_PORT", "6001")
    first = get_settings()
    monkeypatch.setenv("RASA_PORT", "6002")
    assert get_settings() is first and first.rasa_port == 6001
    reset_settings()
    assert get_settings().rasa_port == 6002


# ------------------------------------------------------------------------------ start-up
SERVERS = {
    "run": ["-m", "bot", "run"],
    "actions": ["-m", "bot.action_server", "--actions", "actions"],
    "rasa": ["-m", "bot.rasa_server", "run"],
    "web": ["-m", "bot.web"],
}


@pytest.mark.parametrize("server", sorted(SERVERS))
def test_a_server_does_not_start_with_a_bad_value(server, tmp_path):
    env = dict(
        os.environ, DATA_DIR=str(tmp_path), RASA_PORT="abc", PYTHONWARNINGS="ignore", PYTHONPATH=str(PROJECT_DIR)
    )
    done = subprocess.run(
        [sys.executable, *SERVERS[server]], cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.splitlines() == [f"{server}: RASA_PORT: expected a port number 1-65535, got 'abc'"]


def test_a_command_with_a_bad_value_says_so_in_one_line(tmp_path):
    env = dict(
        os.environ,
        DATA_DIR=str(tmp_path),
        RETENTION_DAYS="a year",
        PYTHONWARNINGS="ignore",
        PYTHONPATH=str(PROJECT_DIR),
    )
    done = subprocess.run(
        [sys.executable, "-m", "bot", "purge"], cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2
    assert done.stderr.splitlines() == ["error: RETENTION_DAYS: expected a whole number 1 or more, got 'a year'"]


# ------------------------------------------------------------------------------ the README's table
def readme_variables() -> List[str]:
    text = (PROJECT_DIR / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    names = [name for row in rows for name in re.findall(r"`([A-Z][A-Z0-9_]*)`", row.split("|")[1])]
    assert rows and len(names) == len(set(names)), "a variable is in the table twice"
    return names


def test_the_readme_table_names_every_setting_and_nothing_else():
    in_readme, in_code = set(readme_variables()), set(Settings.variables())
    assert not in_code - in_readme, f"settings missing from README.md's table: {sorted(in_code - in_readme)}"
    assert (
        not in_readme - in_code
    ), f"README.md's table names what the code does not read: {sorted(in_readme - in_code)}"


# ------------------------------------------------------------------------------ the only reader
#: Files that still read the environment themselves, and why. Empty it as they move to bot.settings.
ALLOWED_READS: set = set()
#: Files that build a child process's environment from this one's (dict(os.environ, ...)): a copy, not a read.
ALLOWED_COPIES = {"bot/supervisor.py", "bot/build.py"}
WRITES = ("setdefault", "update", "pop")  # os.environ.<these>(...): setting a variable (for a child, say)


def environment_reads(source: str, copies_allowed: bool = False) -> List[int]:
    """Line numbers where `source` reads the environment: os.getenv(...), os.environ.get(...),
    os.environ[...] as a value, `in os.environ`, from os import environ/getenv... Writes (os.environ[X] = ...,
    os.environ.setdefault/update/pop) are not reads; with `copies_allowed`, neither is dict(os.environ, ...)."""
    tree = ast.parse(source)
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    lines = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.ImportFrom)
            and node.module == "os"
            and any(a.name in ("environ", "getenv", "getenvb", "environb") for a in node.names)
        ):
            lines.append(node.lineno)
        if not (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "os"):
            continue
        if node.attr in ("getenv", "getenvb", "environb"):
            lines.append(node.lineno)
        elif node.attr == "environ" and not _a_write_or_copy(node, parents, copies_allowed):
            lines.append(node.lineno)
    return sorted(lines)


def _a_write_or_copy(node: ast.AST, parents: dict, copies_allowed: bool) -> bool:
    parent = parents.get(node)
    if isinstance(parent, ast.Subscript) and isinstance(parent.ctx, (ast.Store, ast.Del)):
        return True
    if isinstance(parent, ast.Attribute) and parent.attr in WRITES and isinstance(parents.get(parent), ast.Call):
        return True
    return (
        copies_allowed
        and isinstance(parent, ast.Call)
        and isinstance(parent.func, ast.Name)
        and parent.func.id == "dict"
        and parent.args
        and parent.args[0] is node
    )


def test_the_check_finds_every_kind_of_read():
    source = "\n".join(
        [
            "import os",
            "a = os.environ.get('A')",  # 2: read
            "b = os.environ['B']",  # 3: read
            "c = os.getenv('C', '')",  # 4: read
            "d = 'D' in os.environ",  # 5: read
            "from os import environ",  # 6: read
            "e = dict(os.environ, X='1')",  # 7: a copy for a child
            "os.environ['F'] = '1'",  # 8: write
            "os.environ.setdefault('G', '1')",  # 9: write
            "del os.environ['H']",  # 10: write
            "i = {**os.environ}",  # 11: read
            "j = os.environ.copy()",  # 12: read
        ]
    )
    assert environment_reads(source) == [2, 3, 4, 5, 6, 7, 11, 12]
    assert environment_reads(source, copies_allowed=True) == [2, 3, 4, 5, 6, 11, 12]


def test_only_the_settings_read_the_environment():
    found = []
    for package in ("bot", "actions", "channels"):
        for path in sorted((PROJECT_DIR / package).rglob("*.py")):
            name = path.relative_to(PROJECT_DIR).as_posix()
            if name == "bot/settings.py" or name in ALLOWED_READS:
                continue
            found += [
                f"{name}:{line}"
                for line in environment_reads(path.read_text(encoding="utf-8"), copies_allowed=name in ALLOWED_COPIES)
            ]
    assert not found, f"read the environment through bot.settings.get_settings(), not: {found}"


def test_the_allowed_files_still_need_to_be():
    for name in ALLOWED_READS:
        assert environment_reads(
            (PROJECT_DIR / name).read_text(encoding="utf-8")
        ), f"{name} no longer reads the environment: take it off ALLOWED_READS"
