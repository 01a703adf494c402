import pytest
from hypothesis import given
from hypothesis import strategies as st
from saiaas.cli.units import UnitError, format_amount, parse_amount, parse_duration


@pytest.mark.parametrize(
    ("text", "wei"),
    [
        ("0.5ether", 5 * 10**17),
        ("120gwei", 120 * 10**9),
        ("1000wei", 1000),
        ("1 ETH", 10**18),
        (".25ether", 25 * 10**16),
    ],
)
def test_amounts_are_exact_wei(text, wei):
    assert parse_amount(text) == wei


@pytest.mark.parametrize("text", ["", "abc", "1.5wei", "3 dollars", "-1ether", "1e18"])
def test_bad_amounts_are_refused_with_the_text(text):
    with pytest.raises(UnitError) as error:
        parse_amount(text)
    assert repr(text) in str(error.value)


@pytest.mark.parametrize("text", ["300000000000000000", "0.5", " 12 "])
def test_a_bare_number_is_refused_with_both_readings(text):
    with pytest.raises(UnitError) as error:
        parse_amount(text, "--price")
    number = text.strip()
    assert str(error.value) == (f"--price {number}: an amount needs a unit: write {number}wei "
                                f"or {number}ether")


@pytest.mark.parametrize("text", ["0", "0.0", "000"])
def test_a_bare_zero_is_zero_in_any_unit(text):
    assert parse_amount(text, "--fee") == 0


def test_bare_seconds_still_make_a_duration():
    assert parse_duration("90") == 90


@given(st.integers(min_value=0, max_value=10**30))
def test_format_then_parse_round_trips(wei):
    assert parse_amount(format_amount(wei).replace(" ETH", "ether")) == wei


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("90s", 90),
        ("2h", 7200),
        ("3d", 259200),
        ("1w", 604800),
        ("1d12h", 129600),
        ("45", 45),
        ("30m", 1800),
    ],
)
def test_durations(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "0s", "2 hours", "h", "3x", "-5s"])
def test_bad_durations_are_refused(text):
    with pytest.raises(UnitError):
        parse_duration(text)
