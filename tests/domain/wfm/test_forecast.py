"""Demand forecast: methods, accuracy measures, holidays, profiles, handle times (no Django).

Every expected number is worked out by hand in the test from the definitions (seasonal naive:
FPP3 §5.2; WAPE; MASE: Hyndman & Koehler 2006), never taken from the code under test.
"""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from symfonie.domain.wfm.forecast import (
    DayCalendar,
    SeriesHistory,
    day_intervals,
    forecast_series,
)
from symfonie.domain.wfm.forecast_backtest import (
    BacktestScore,
    choose_method,
    mase,
    rolling_origin_backtest,
    wape,
)
from symfonie.domain.wfm.forecast_calendar import DayKind
from symfonie.domain.wfm.forecast_methods import (
    clean_irregular_days,
    day_of_year_position,
    exponential_smoothing,
    seasonal_naive,
    yearly_index,
)
from symfonie.domain.wfm.forecast_profile import handle_time_profiles, intraday_profiles

AMSTERDAM = "Europe/Amsterdam"
# Monday … Sunday: a busy week, a quieter Saturday, a nearly closed Sunday
WEEK = [100.0, 100.0, 100.0, 100.0, 100.0, 50.0, 10.0]
WEEKDAY_SLOTS = range(9, 17)  # 09:00–17:00 in 60-minute slots, 8 slots
SUNDAY_SLOTS = (12, 13)  # 12:00–14:00


def weekly_history(first_monday: date, weeks: int, *, time_zone: str = AMSTERDAM) -> SeriesHistory:
    """Exactly periodic history in 60-minute slots: WEEK per day, spread evenly over the day's
    slots (Sunday in two slots at noon), every contact handled in 100 s (Sunday: 200 s)."""
    assert first_monday.weekday() == 0
    contacts = np.zeros((7 * weeks, 24))
    handle = np.zeros((7 * weeks, 24))
    for day in range(7 * weeks):
        weekday = day % 7
        slots = SUNDAY_SLOTS if weekday == 6 else WEEKDAY_SLOTS
        for slot in slots:
            contacts[day, slot] = WEEK[weekday] / len(slots)
            handle[day, slot] = contacts[day, slot] * (200.0 if weekday == 6 else 100.0)
    return SeriesHistory(
        series="test",
        first_day=first_monday,
        interval_minutes=60,
        time_zone=time_zone,
        contacts=contacts,
        handle_seconds=handle,
        handled_contacts=contacts.copy(),
    )


def day_of(result, day: date):
    return next(forecast for forecast in result.days if forecast.day == day)


def interval_contacts(result, day: date) -> dict[int, float]:
    """Contacts per local hour of ``day`` (only the hours with contacts)."""
    return {
        start.hour: float(result.contacts[i])
        for i, start in enumerate(result.interval_starts)
        if start.date() == day and result.contacts[i] > 0
    }


# --- the methods ---------------------------------------------------------------------------


def test_seasonal_naive_repeats_last_week() -> None:
    history = np.arange(1.0, 11.0)  # 1 … 10: last week is 4 … 10
    forecast = seasonal_naive(history, 10)
    assert forecast.tolist() == [4, 5, 6, 7, 8, 9, 10, 4, 5, 6]


def test_seasonal_naive_needs_a_week() -> None:
    with pytest.raises(ValueError, match=r"history too short.*at least 7 whole days, got 6"):
        seasonal_naive(np.ones(6), 1)


def test_exponential_smoothing_needs_two_weeks() -> None:
    with pytest.raises(ValueError, match="at least 14 whole days, got 13"):
        exponential_smoothing(np.ones(13), 7)


def test_exponential_smoothing_reproduces_a_noiseless_weekly_pattern() -> None:
    history = np.tile(WEEK, 5)
    forecast = exponential_smoothing(history, 14)
    np.testing.assert_allclose(forecast, np.tile(WEEK, 2), rtol=1e-3, atol=0.05)


# --- accuracy ------------------------------------------------------------------------------


def test_wape_by_hand() -> None:
    # |10−12| + |20−18| + |30−33| = 7, over 10 + 20 + 30 = 60
    assert wape([10, 20, 30], [12, 18, 33]) == pytest.approx(7 / 60)
    assert wape([0, 0], [1, 2]) is None


TRAINING = [10, 20, 30, 40, 50, 60, 70, 12, 18, 33, 40, 55, 60, 70]
# in-sample seasonal naive errors |y_t − y_{t−7}|: 2, 2, 3, 0, 5, 0, 0 → scale 12/7


def test_mase_by_hand() -> None:
    # MAE of the forecasts (|20−23| + |30−26|) / 2 = 3.5; MASE = 3.5 / (12/7) = 49/24
    assert mase([20, 30], [23, 26], TRAINING) == pytest.approx(49 / 24)
    assert mase([20], [20], [5.0] * 14) is None  # an exactly repeating history: undefined


def test_one_origin_backtest_by_hand() -> None:
    daily = [*TRAINING, 15]  # day 15 is forecast from day 8 (12) by seasonal naive
    [score] = rolling_origin_backtest(
        daily, {"seasonal_naive": seasonal_naive}, origins=1, horizon_days=7
    )
    assert score.forecasts == 1
    assert score.wape == pytest.approx(3 / 15)
    assert score.mase == pytest.approx(3 / (12 / 7))
    assert score.mae_contacts == pytest.approx(3)


def test_backtest_leaves_unscored_days_out() -> None:
    # two origins: fit on 13 days → forecast days 14 and 15; fit on 14 → day 15.
    # Day 14 (index 13) is not scored, so only the two forecasts of day 15 count, both = y[8].
    daily = [*TRAINING, 15]
    scored = np.ones(15, dtype=bool)
    scored[13] = False
    [score] = rolling_origin_backtest(
        daily, {"seasonal_naive": seasonal_naive}, origins=2, horizon_days=7, scored=scored
    )
    assert score.forecasts == 2
    assert score.wape == pytest.approx((3 + 3) / (15 + 15))


def test_choose_method_lowest_wape_and_ties_keep_the_first() -> None:
    def score(method: str, value: float | None) -> BacktestScore:
        return BacktestScore(method, value, None, None, 1, 1)

    assert choose_method([score("seasonal_naive", 0.2), score("exp", 0.1)]) == "exp"
    assert choose_method([score("seasonal_naive", 0.1), score("exp", 0.1)]) == "seasonal_naive"
    assert choose_method([score("seasonal_naive", None), score("exp", 0.3)]) == "exp"


def test_noiseless_weekly_series_backtests_to_zero_error() -> None:
    result = forecast_series(
        weekly_history(date(2026, 1, 5), 5), horizon_days=7, calendar=DayCalendar()
    )
    scores = {score.method: score for score in result.backtest}
    assert set(scores) == {"seasonal_naive", "exponential_smoothing"}
    assert "damped_holt_winters" in result.skipped_methods  # 35 days − 14 origins < 28
    for score in scores.values():
        assert score.wape == pytest.approx(0, abs=1e-3)
        assert score.mase is None  # the history repeats exactly: MASE undefined
    assert result.method == "seasonal_naive"
    assert [day.contacts for day in result.days] == WEEK


# --- the whole forecast --------------------------------------------------------------------


def test_intervals_follow_the_weekday_profile_and_handle_time() -> None:
    result = forecast_series(weekly_history(date(2026, 1, 5), 4), horizon_days=7)
    monday = date(2026, 2, 2)
    assert result.interval_starts[0].isoformat() == "2026-02-02T00:00:00+01:00"
    assert len(result.interval_starts) == 7 * 24
    assert interval_contacts(result, monday) == pytest.approx(
        {hour: 12.5 for hour in WEEKDAY_SLOTS}
    )
    assert interval_contacts(result, date(2026, 2, 8)) == pytest.approx({12: 5.0, 13: 5.0})
    assert result.aht_seconds is not None
    hours = [start.hour for start in result.interval_starts]
    assert result.aht_seconds[hours.index(10)] == pytest.approx(100.0)  # Monday 10:00
    assert result.aht_seconds[-24 + 12] == pytest.approx(200.0)  # Sunday 12:00
    assert result.aht_seconds[hours.index(3)] == pytest.approx(100.0)  # no data: the day's AHT


def test_nl_christmas_is_forecast_like_a_sunday() -> None:
    # history Monday 23 Nov – Sunday 20 Dec 2026, horizon 21–27 Dec: 25 Dec (Friday) and
    # 26 Dec (Saturday, Second Christmas Day) are Dutch public holidays.
    history = weekly_history(date(2026, 11, 23), 4)
    result = forecast_series(history, horizon_days=7, calendar=DayCalendar(countries=("NL",)))
    christmas = day_of(result, date(2026, 12, 25))
    assert christmas.kind is DayKind.HOLIDAY
    assert "Christmas" in christmas.name
    # Friday forecast 100 × Sunday level 10 / Friday level 100 = 10, over Sunday's two slots
    assert christmas.contacts == pytest.approx(10.0)
    assert christmas.profile_weekday == 6
    assert interval_contacts(result, date(2026, 12, 25)) == pytest.approx({12: 5.0, 13: 5.0})
    assert christmas.aht_seconds == pytest.approx(200.0)  # Sunday's handle time too
    assert day_of(result, date(2026, 12, 26)).contacts == pytest.approx(50.0 * 10 / 50)
    assert day_of(result, date(2026, 12, 24)).contacts == pytest.approx(100.0)  # a normal day


def test_be_national_day_with_a_holiday_factor_keeps_its_own_profile() -> None:
    history = weekly_history(date(2026, 6, 22), 4)  # through Sunday 19 July 2026
    belgian = DayCalendar(countries=("BE",), holiday_factor=0.5)
    result = forecast_series(history, horizon_days=7, calendar=belgian)
    national_day = day_of(result, date(2026, 7, 21))  # Tuesday
    assert national_day.kind is DayKind.HOLIDAY
    assert national_day.contacts == pytest.approx(50.0)
    assert interval_contacts(result, date(2026, 7, 21)) == pytest.approx(
        {hour: 50.0 / 8 for hour in WEEKDAY_SLOTS}
    )
    dutch = forecast_series(history, horizon_days=7, calendar=DayCalendar(countries=("NL",)))
    assert day_of(dutch, date(2026, 7, 21)).kind is DayKind.REGULAR
    assert day_of(dutch, date(2026, 7, 21)).contacts == pytest.approx(100.0)


def test_a_special_day_overrides_the_holiday_and_can_close() -> None:
    history = weekly_history(date(2026, 6, 22), 4)
    calendar = DayCalendar(
        countries=("BE",), special_days={date(2026, 7, 21): 0.0, date(2026, 7, 23): 0.6}
    )
    result = forecast_series(history, horizon_days=7, calendar=calendar)
    assert day_of(result, date(2026, 7, 21)).contacts == 0.0
    assert day_of(result, date(2026, 7, 21)).name == "closed"
    assert interval_contacts(result, date(2026, 7, 21)) == {}
    assert day_of(result, date(2026, 7, 23)).contacts == pytest.approx(60.0)


def test_a_holiday_in_the_history_is_not_learnt_as_a_pattern() -> None:
    # Tuesday 21 July 2026 (BE national day) was closed; the next Tuesday is forecast as a
    # normal Tuesday (100) by seasonal naive, not 0.
    history = weekly_history(date(2026, 6, 29), 4)  # Monday 29 June – Sunday 26 July
    history.contacts[22] = 0.0
    result = forecast_series(
        history, horizon_days=7, calendar=DayCalendar(countries=("BE",)), methods=["seasonal_naive"]
    )
    assert [day for day, _ in result.irregular_history_days] == [date(2026, 7, 21)]
    assert day_of(result, date(2026, 7, 28)).contacts == pytest.approx(100.0)
    assert result.backtest[0].wape == pytest.approx(0.0)  # the closed day is not scored


def test_clean_irregular_days_by_hand() -> None:
    daily = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]
    irregular = [False] * 14
    irregular[1] = irregular[8] = True
    # day 1 has no week before and its only later same weekday (day 8) is irregular too:
    # the mean of the twelve regular days, (105 − 2 − 9) / 12; day 8 then copies day 1
    cleaned = clean_irregular_days(daily, irregular)
    assert cleaned[1] == pytest.approx(94 / 12)
    assert cleaned[8] == pytest.approx(94 / 12)
    irregular[8] = False
    assert clean_irregular_days(daily, irregular)[1] == 9  # the next regular same weekday
    assert clean_irregular_days(daily, irregular)[7] == 8


def test_horizon_start_after_a_gap_and_daylight_saving_days() -> None:
    # history January 2026; the horizon is the week of the spring change (29 March 2026)
    history = weekly_history(date(2026, 1, 5), 4)
    result = forecast_series(history, horizon_days=7, horizon_start=date(2026, 3, 23))
    assert result.days[0].day == date(2026, 3, 23)
    sunday = [
        i for i, start in enumerate(result.interval_starts) if start.date() == date(2026, 3, 29)
    ]
    assert len(sunday) == 23  # a 23-hour day
    assert float(result.contacts[sunday].sum()) == pytest.approx(10.0)


def test_day_intervals_on_daylight_saving_days() -> None:
    zone = ZoneInfo(AMSTERDAM)
    assert len(day_intervals(date(2026, 3, 29), 30, zone)) == 46
    autumn = day_intervals(date(2026, 10, 25), 30, zone)
    assert len(autumn) == 50
    assert [slot for _, slot in autumn].count(4) == 2  # 02:00 comes twice
    assert len(day_intervals(date(2026, 6, 1), 15, zone)) == 96


def test_profile_shares_sum_to_one_per_day() -> None:
    rng = np.random.default_rng(7)
    contacts = rng.poisson(3.0, size=(21, 48)).astype(float)
    contacts[5] = 0.0  # a day without contacts
    weekdays = np.arange(21) % 7
    regular = np.ones(21, dtype=bool)
    regular[3] = False
    profiles = intraday_profiles(contacts, weekdays, regular, 4)
    np.testing.assert_allclose(profiles.sum(axis=1), 1.0)
    result = forecast_series(
        SeriesHistory("r", date(2026, 3, 2), 30, AMSTERDAM, contacts), horizon_days=14
    )
    for day in result.days:
        on_day = [i for i, start in enumerate(result.interval_starts) if start.date() == day.day]
        assert float(result.contacts[on_day].sum()) == pytest.approx(day.contacts)
    assert result.aht_seconds is None  # no handle times in the history


def test_handle_time_profile_by_hand() -> None:
    # two Mondays: slot 0 handled 100 s for 1 contact, then 300 s for 3 → (100+300)/(1+3)
    seconds = np.zeros((8, 2))
    handled = np.zeros((8, 2))
    seconds[0, 0], handled[0, 0] = 100, 1
    seconds[7, 0], handled[7, 0] = 300, 3
    seconds[2, 1], handled[2, 1] = 50, 1  # a Wednesday
    profiles = handle_time_profiles(seconds, handled, np.arange(8) % 7, np.ones(8, bool), 4)
    assert profiles is not None
    assert profiles[0, 0] == pytest.approx(100.0)
    assert profiles[0, 1] == pytest.approx(100.0)  # Monday slot 1: no data → Monday's AHT
    assert profiles[2, 1] == pytest.approx(50.0)
    assert profiles[4, 0] == pytest.approx(450 / 5)  # Friday: no data → the whole history
    assert handle_time_profiles(seconds * 0, handled * 0, np.arange(8) % 7, np.ones(8), 4) is None


# --- yearly seasonality ---------------------------------------------------------------------


def two_years_with_a_busy_july(first_day: date, days: int) -> np.ndarray:
    daily = np.array(
        [200.0 if (first_day + timedelta(d)).month == 7 else 100.0 for d in range(days)]
    )
    return daily


def test_yearly_index_only_from_two_years() -> None:
    assert yearly_index(np.full(729, 100.0), date(2021, 1, 1)) is None
    index = yearly_index(two_years_with_a_busy_july(date(2021, 1, 1), 730), date(2021, 1, 1))
    assert index is not None
    # mid-July's 7-day mean is 200, mid-March's 100; any 365 days hold one July: same divisor
    july, march = day_of_year_position(date(2021, 7, 15)), day_of_year_position(date(2021, 3, 15))
    assert index[july] / index[march] == pytest.approx(2.0)
    assert day_of_year_position(date(2024, 2, 29)) == day_of_year_position(date(2024, 2, 28))
    assert day_of_year_position(date(2024, 3, 1)) == day_of_year_position(date(2023, 3, 1))


def test_two_years_of_busy_julys_double_the_july_forecast() -> None:
    first = date(2021, 1, 4)  # a Monday; 105 weeks = 735 days, through 2023-01-08
    daily = two_years_with_a_busy_july(first, 735)
    contacts = np.zeros((735, 24))
    contacts[:, 12] = daily
    history = SeriesHistory("y", first, 60, AMSTERDAM, contacts)
    result = forecast_series(
        history, horizon_days=7, horizon_start=date(2023, 7, 10), methods=["seasonal_naive"]
    )
    assert result.yearly_seasonality
    # the last week (January: 100 a day) repeated, times index(July) / index(January) = 2
    assert [day.contacts for day in result.days] == pytest.approx([200.0] * 7)
    short = SeriesHistory("y", first, 60, AMSTERDAM, contacts[-729:])
    assert not forecast_series(short, horizon_days=7, methods=["seasonal_naive"]).yearly_seasonality


# --- input checks -----------------------------------------------------------------------------


def test_too_short_history_raises_a_clear_error() -> None:
    history = SeriesHistory("s", date(2026, 1, 5), 60, AMSTERDAM, np.ones((7, 24)))
    with pytest.raises(ValueError, match=r"history too short: .* at least 8 whole days.*got 7"):
        forecast_series(history, horizon_days=7)


def test_short_history_falls_back_to_seasonal_naive() -> None:
    history = SeriesHistory("s", date(2026, 1, 5), 60, AMSTERDAM, np.ones((12, 24)))
    result = forecast_series(history, horizon_days=3)
    assert [score.method for score in result.backtest] == ["seasonal_naive"]
    assert result.backtest[0].origins == 5  # 12 days − a week of training
    assert set(result.skipped_methods) == {"exponential_smoothing", "damped_holt_winters"}


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"horizon_days": 0}, "horizon_days must be >= 1"),
        ({"horizon_days": 7, "horizon_start": date(2026, 1, 20)}, "must start after"),
        ({"horizon_days": 7, "methods": ["arima"]}, "methods must be some of"),
        ({"horizon_days": 7, "backtest_origins": 0}, "backtest_origins must be >= 1"),
    ],
)
def test_bad_arguments(arguments: dict[str, object], message: str) -> None:
    history = SeriesHistory("s", date(2026, 1, 5), 60, AMSTERDAM, np.ones((21, 24)))
    with pytest.raises(ValueError, match=message):
        forecast_series(history, **arguments)


def test_bad_history_and_calendar() -> None:
    with pytest.raises(ValueError, match="shape"):
        SeriesHistory("s", date(2026, 1, 5), 30, AMSTERDAM, np.ones((21, 24)))
    with pytest.raises(ValueError, match="interval_minutes must divide 60"):
        SeriesHistory("s", date(2026, 1, 5), 45, AMSTERDAM, np.ones((21, 32)))
    with pytest.raises(ValueError, match=">= 0"):
        SeriesHistory("s", date(2026, 1, 5), 60, AMSTERDAM, -np.ones((21, 24)))
    with pytest.raises(ValueError, match="unknown time zone"):
        SeriesHistory("s", date(2026, 1, 5), 60, "Mars/Olympus", np.ones((21, 24)))
    with pytest.raises(ValueError, match="country 'XX'"):
        DayCalendar(countries=("XX",))
    with pytest.raises(ValueError, match="factor must be a number >= 0"):
        DayCalendar(special_days={date(2026, 12, 24): -1.0})


# --- properties -------------------------------------------------------------------------------


daily_histories = arrays(
    np.float64, st.integers(7, 40), elements=st.floats(0, 1e4, allow_nan=False)
)


@given(daily_histories, st.floats(0, 100), st.integers(1, 21))
def test_seasonal_naive_scales_with_the_history(history, k: float, steps: int) -> None:
    np.testing.assert_allclose(
        seasonal_naive(k * history, steps), k * seasonal_naive(history, steps)
    )


@settings(max_examples=15, deadline=None)
@given(
    arrays(np.float64, st.integers(8, 22), elements=st.integers(0, 50).map(float)),
    st.integers(0, 2**32 - 1),
)
def test_forecasts_are_never_negative(daily, seed: int) -> None:
    rng = np.random.default_rng(seed)
    contacts = np.zeros((daily.size, 24))
    for day, total in enumerate(daily.astype(int)):
        np.add.at(contacts[day], rng.integers(6, 20, size=total), 1.0)
    handled = contacts * rng.integers(0, 2, size=contacts.shape)
    history = SeriesHistory(
        "p", date(2026, 3, 2), 60, AMSTERDAM, contacts, handled * 180.0, handled
    )
    result = forecast_series(history, horizon_days=7, backtest_origins=3)
    assert np.all(result.contacts >= 0)
    assert all(day.contacts >= 0 for day in result.days)
    if result.aht_seconds is not None:
        assert np.all(result.aht_seconds >= 0)
    assert exponential_smoothing(np.r_[daily, daily], 7).min() >= 0
