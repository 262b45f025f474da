from digest.errors import ProviderError


def test_provider_errors_name_the_protocol_of_their_status() -> None:
    assert str(ProviderError("smtp", "535 bad login", status_code=535)).startswith("smtp (SMTP 535)")
    assert str(ProviderError("sendgrid", "nope", status_code=401)).startswith("sendgrid (HTTP 401)")
