import pytest

from core.settings import DEVELOPMENT_FEED_KEY, DEVELOPMENT_SECRET, Settings, SettingsError

STRONG = "x" * 40
KEY = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="  # 32 bytes, base64


def production(**env: str) -> dict[str, str]:
    base = {
        "PORTAL_ENV": "production",
        "SECRET_KEY": STRONG,
        "DATA_ENCRYPTION_KEY": KEY,
        "PUBLIC_URL": "https://dulich.example.vn",
        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379",
        "FEED_SIGNING_KEY": "y" * 40,
        "SMTP_HOST": "smtp.example.vn",
        "STRIPE_SECRET_KEY": "sk_live_" + "s" * 24,
        "STRIPE_WEBHOOK_SECRET": "whsec_" + "w" * 32,
        "INSTANCE_PATH": "instance-not-created",
    }
    return base | env


def test_production_with_every_secret_set_starts():
    settings = Settings.from_env(production())
    assert settings.is_production
    assert settings.secret_key == STRONG


@pytest.mark.parametrize(
    ("env", "complaint"),
    [
        ({"SECRET_KEY": DEVELOPMENT_SECRET}, "SECRET_KEY"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY"),
        ({"DATA_ENCRYPTION_KEY": Settings().data_encryption_key}, "DATA_ENCRYPTION_KEY"),
        ({"DATA_ENCRYPTION_KEY": "bm90LTMyLWJ5dGVz"}, "DATA_ENCRYPTION_KEY"),
        ({"PUBLIC_URL": "http://dulich.example.vn"}, "PUBLIC_URL"),
        ({"RATELIMIT_STORAGE_URI": "memory://"}, "RATELIMIT_STORAGE_URI"),
        ({"FEED_SIGNING_KEY": DEVELOPMENT_FEED_KEY}, "FEED_SIGNING_KEY"),
        ({"FEED_SIGNING_KEY": "short"}, "FEED_SIGNING_KEY"),
        ({"SMTP_HOST": ""}, "SMTP_HOST"),
        ({"STRIPE_SECRET_KEY": ""}, "STRIPE_SECRET_KEY"),
        ({"STRIPE_WEBHOOK_SECRET": ""}, "STRIPE_WEBHOOK_SECRET"),
        ({"STRIPE_WEBHOOK_SECRET": "whsec_localstripe"}, "STRIPE_WEBHOOK_SECRET"),
        ({"STRIPE_WEBHOOK_SECRET": "w" * 40}, "STRIPE_WEBHOOK_SECRET"),
    ],
)
def test_production_refuses_unsafe_settings(env, complaint):
    with pytest.raises(SettingsError, match=complaint):
        Settings.from_env(production(**env))


def test_production_refuses_to_start_without_a_secret():
    env = production()
    del env["SECRET_KEY"]
    with pytest.raises(SettingsError, match="SECRET_KEY"):
        Settings.from_env(env)


def test_development_defaults_to_a_sqlite_file_in_the_instance_folder(tmp_path):
    settings = Settings.from_env({"INSTANCE_PATH": str(tmp_path)})
    assert settings.database_url == f"sqlite:///{tmp_path / 'portal.sqlite3'}"
    assert settings.environment == "development"


def test_a_plain_postgresql_url_uses_the_installed_driver(tmp_path):
    settings = Settings.from_env(
        {"INSTANCE_PATH": str(tmp_path), "DATABASE_URL": "postgresql://u@127.0.0.1/test"}
    )
    assert settings.database_url == "postgresql+psycopg://u@127.0.0.1/test"


def test_numbers_are_read_as_numbers(tmp_path):
    settings = Settings.from_env({"INSTANCE_PATH": str(tmp_path), "OFFICIAL_IDLE_MINUTES": "15"})
    assert settings.official_idle_minutes == 15


def test_settings_cannot_change_once_built(tmp_path):
    settings = Settings.from_env({"INSTANCE_PATH": str(tmp_path)})
    with pytest.raises(AttributeError):
        settings.secret_key = "changed"  # type: ignore[misc]


def test_unknown_environment_is_refused():
    with pytest.raises(SettingsError, match="PORTAL_ENV"):
        Settings.from_env({"PORTAL_ENV": "staging"})


def test_a_number_setting_that_is_not_a_number_is_refused_by_name():
    with pytest.raises(SettingsError, match="FEED_READ_TIMEOUT must be a number"):
        Settings.from_env({"FEED_READ_TIMEOUT": "thirty"})


def test_timeouts_may_be_fractions_of_a_second():
    assert Settings.from_env({"FEED_READ_TIMEOUT": "0.5"}).feed_read_timeout == 0.5


def test_files_the_portal_writes_default_to_its_instance_folder(tmp_path):
    settings = Settings.from_env({"INSTANCE_PATH": str(tmp_path)})
    assert settings.feed_drop_dir == str(tmp_path / "feeds")
    assert settings.mail_drop_dir == str(tmp_path / "mail")
    assert settings.search_index_path == str(tmp_path / "search.sqlite3")
