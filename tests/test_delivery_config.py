"""``[delivery]`` and ``[delivery.email]``: read as written, each mistake names its key."""

from __future__ import annotations

from pathlib import Path

import pytest

from releasecare.config import load_config
from releasecare.errors import ConfigError

EMAIL = '[delivery.email]\nhost = "smtp.example.com"\nfrom = "Shop <n@shop.example>"\n'


def test_settings_and_their_defaults(tmp_path: Path) -> None:
    path = tmp_path / "releasecare.toml"
    path.write_text(
        "[delivery]\nmax_attempts = 3\nbackoff = 0.5\n" + EMAIL + 'security = "tls"\n'
        'username_env = "SMTP_USER"\npassword_env = "SMTP_PASSWORD"\n',
        encoding="utf-8",
    )
    settings = load_config(path).delivery
    assert (settings.max_attempts, settings.backoff, settings.run_time) == (3, 0.5, 120.0)
    assert settings.email is not None
    assert (settings.email.port, settings.email.security) == (465, "tls")
    assert settings.email.sender == "Shop <n@shop.example>"
    other = tmp_path / "none.toml"
    other.write_text("", encoding="utf-8")
    assert load_config(other).delivery.email is None


@pytest.mark.parametrize(
    ("text", "key", "problem"),
    [
        ("[delivery]\nmax_attempts = 0\n", "delivery.max_attempts", "must be 1 or more"),
        ("[delivery]\nbackoff = -1\n", "delivery.backoff", "seconds above 0"),
        ("[delivery]\nretries = 3\n", "delivery.retries", "unknown key"),
        ('[delivery.email]\nfrom = "n@shop.example"\n', "delivery.email.host", "missing"),
        (EMAIL + 'security = "ssl"\n', "delivery.email.security", "starttls, tls, plain"),
        (EMAIL + "port = 0\n", "delivery.email.port", "must be a port number"),
        (EMAIL + 'password = "x"\n', "delivery.email.password", "unknown key"),
        (EMAIL + 'username_env = "U"\n', "delivery.email.password_env", "go together"),
        (EMAIL + 'unsubscribe_url = "http://x"\n', "delivery.email.unsubscribe_url", "https"),
    ],
)
def test_errors_name_the_key(tmp_path: Path, text: str, key: str, problem: str) -> None:
    path = tmp_path / "releasecare.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert repr(key) in str(caught.value) and problem in str(caught.value)
    assert str(path) in str(caught.value)
