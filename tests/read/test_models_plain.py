"""The planning model is plain typed classes (``read.models`` on ``read.record``) so a pull
loads no pydantic; these tests prove they accept, convert and refuse what the pydantic models
they replaced did: made with keywords (what the reader and the examples hand over) and from
the store's JSON (``model_validate``), the same ``model_dump(mode="json")`` byte for byte, key
order included, or both refuse. The reference models are the pydantic ones, verbatim.

One difference, on purpose: a date field reads a date, a datetime at midnight or ISO text
('2026-01-05'), not pydantic's other spellings (a Unix timestamp, a datetime as text), which
nothing writes: those are refused, and ``test_narrower_only_where_said`` proves the plain
classes take nothing pydantic refused and convert nothing differently.
"""

from __future__ import annotations

import copy
import json
import pickle
from datetime import date, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sheetsync.read import models as plain
from sheetsync.read.record import Invalid

LAZY = ConfigDict(defer_build=True)  # validators are built on first use, not at import


class Row(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)
    row: int = 0


class Profile(BaseModel):
    """A district's profile; a school plan's names the school too (and its district)."""

    model_config = LAZY
    school_id: str | None = None
    school_name: str | None = None
    district_id: str | None = None
    district_name: str | None = None
    school_year: str | None = None
    as_of: date | None = None
    contact_name: str | None = None
    contact_email: str | None = None
    template_version: str | None = None
    school_level: str | None = None  # a school plan's: elementary, middle or high


class StrategicGoal(Row):
    id: str
    title: str | None = None
    description: str | None = None
    start_year: int | None = None
    end_year: int | None = None


class CdipGoal(Row):
    id: str
    area: str | None = None
    statement: str | None = None
    indicator: str | None = None
    baseline: float | None = None
    target: float | None = None
    target_year: int | None = None


class Need(Row):
    id: str
    description: str | None = None
    data_source: str | None = None
    priority: bool = False
    cause: str | None = None
    practice_area: str | None = None


class Goal(Row):
    id: str
    strategic_goal_id: str | None = None
    cdip_goal_id: str | None = None
    need_id: str | None = None
    statement: str | None = None
    student_group: str | None = None
    owner: str | None = None
    target_date: date | None = None


class Strategy(Row):
    id: str
    goal_id: str | None = None
    kcwp: str | None = None
    other_approach: str | None = None
    description: str | None = None
    research_basis: str | None = None


class Measure(Row):
    id: str
    goal_id: str | None = None
    name: str | None = None
    unit: str | None = None
    direction: str | None = None
    baseline: float | None = None
    baseline_date: date | None = None
    target: float | None = None
    target_date: date | None = None
    frequency: str | None = None
    data_source: str | None = None
    owner: str | None = None
    actuals: dict[str, float] = Field(default_factory=dict)  # period "YYYY-MM" -> value
    interim_targets: dict[str, float] = Field(default_factory=dict)


class Action(Row):
    id: str
    goal_id: str | None = None
    description: str | None = None
    owner: str | None = None
    start_date: date | None = None
    due_date: date | None = None
    resources: str | None = None
    funding_source: str | None = None
    cost: float | None = None
    status: str | None = None
    percent_complete: float | None = None
    evidence: str | None = None
    strategy_id: str | None = None


class MonthlyUpdate(Row):
    month: str  # period "YYYY-MM"
    milestones: str | None = None
    successes: str | None = None
    roadblocks: str | None = None
    changes: str | None = None
    support_needed: str | None = None
    submitted_by: str | None = None
    submitted_on: date | None = None


class Scorecard(BaseModel):
    model_config = LAZY

    source: str
    template_version: str | None = None
    school_year: str
    level: str = "district"  # "school" for a School Improvement Plan
    profile: Profile = Field(default_factory=Profile)
    strategic_goals: list[StrategicGoal] = Field(default_factory=list)
    cdip_goals: list[CdipGoal] = Field(default_factory=list)
    needs: list[Need] = Field(default_factory=list)
    goals: list[Goal] = Field(default_factory=list)
    strategies: list[Strategy] = Field(default_factory=list)
    measures: list[Measure] = Field(default_factory=list)
    actions: list[Action] = Field(default_factory=list)
    monthly_updates: list[MonthlyUpdate] = Field(default_factory=list)
    columns: dict[str, dict[str, str]] = Field(default_factory=dict)
    sheet_names: dict[str, str] = Field(default_factory=dict)  # entity -> sheet name found
    settings: dict[str, float] = Field(default_factory=dict)  # the workbook's own, if any


REFERENCE: dict[str, type[BaseModel]] = {
    c.__name__: c for c in (Profile, StrategicGoal, CdipGoal, Need, Goal, Strategy, Measure,
                            Action, MonthlyUpdate, Scorecard)}
ROWS = {"strategic_goals": "StrategicGoal", "cdip_goals": "CdipGoal", "needs": "Need",
        "goals": "Goal", "strategies": "Strategy", "measures": "Measure", "actions": "Action",
        "monthly_updates": "MonthlyUpdate"}


def kind(model: str, name: str) -> str:
    """A field's type, as the reference model's annotation says it."""
    note = REFERENCE[model].model_fields[name].annotation
    return note.__name__ if isinstance(note, type) else str(note)


# -- values --------------------------------------------------------------------------------

NUMERIC = "0123456789._+-e infaINFy\t"
texts = st.one_of(st.text(max_size=6), st.text(NUMERIC, max_size=7),
                  st.sampled_from(["yes", "No", "TRUE", "off", "t", "1", "0", " 1", "2026-27",
                                   "1_000", "12.0", "12.50", "-0", "inf", "NaN", "١٢",
                                   "\xa02", "2026-01-05", "2026-02-30", "0000-01-01"]))
numbers = st.one_of(st.integers(-10, 10), st.integers(), st.floats(allow_nan=True),
                    st.sampled_from([0.0, 1.0, 2.5, 9.2e18, 2.0 ** 63, 10 ** 400]))
iso_dates = st.dates().map(date.isoformat)
scalars = st.one_of(st.none(), st.booleans(), numbers, texts, iso_dates)
json_values = st.one_of(scalars, st.lists(scalars, max_size=2),
                        st.dictionaries(st.text(max_size=3), scalars, max_size=2))


def good(k: str, store: bool) -> st.SearchStrategy[Any]:
    """A value of a field's own type: as the store holds it (``store``) or as the reader
    hands it over (dates as dates)."""
    base = k.replace(" | None", "")
    out: st.SearchStrategy[Any] = {
        "str": texts, "int": st.integers(-3000, 3000),
        "float": st.one_of(st.floats(allow_nan=False), st.integers(-100, 100)),
        "bool": st.booleans(),
        "datetime.date": iso_dates if store else st.one_of(
            st.dates(), st.datetimes().map(lambda d: d.replace(hour=0, minute=0, second=0,
                                                                 microsecond=0))),
        "dict[str, float]": st.dictionaries(st.text(max_size=7),
                                            st.one_of(st.floats(), st.integers(-9, 9)),
                                            max_size=3),
        "dict[str, str]": st.dictionaries(st.text(max_size=3), texts, max_size=2),
        "dict[str, dict[str, str]]": st.dictionaries(
            st.text(max_size=3), st.dictionaries(st.text(max_size=3), texts, max_size=2),
            max_size=2),
    }[base]
    return st.one_of(st.none(), out) if k != base else out


def wrong(k: str, narrow: bool) -> st.SearchStrategy[Any]:
    """Any value, mostly of another kind. ``narrow``: none a date field reads differently on
    purpose (numbers, datetimes as text)."""
    if narrow and "date" in k:
        return st.one_of(scalars.filter(lambda v: not isinstance(v, int | float) or
                                        isinstance(v, bool)).filter(_not_datetime_text),
                         st.datetimes(), st.dates())
    return st.one_of(json_values, st.datetimes(), st.dates(), st.binary(max_size=3))


def spelled(k: str) -> st.SearchStrategy[Any]:
    """A field's value written as text, the ways a person or a JSON file might."""
    base = k.replace(" | None", "")
    if base in ("int", "float"):
        return st.tuples(st.sampled_from(["", " ", "+", "-", "\t", "\xa0", "0"]),
                         st.integers(0, 10 ** 6),
                         st.sampled_from(["", ".0", ".00", ".5", "_0", "e3", ".", " ", "_",
                                          "1_2.0", "%"])).map(lambda t: f"{t[0]}{t[1]}{t[2]}")
    if base == "bool":
        return st.tuples(st.sampled_from(["", " "]), st.sampled_from(
            ["yes", "no", "Y", "n", "on", "OFF", "true", "False", "t", "F", "1", "0", "2",
             "yess"]), st.sampled_from(["", " "])).map("".join)
    return texts


def _not_datetime_text(v: Any) -> bool:
    """Text a date field reads as pydantic did: all but numbers and datetimes."""
    if not isinstance(v, str):
        return True
    try:
        float(v)
    except ValueError:
        return len(v) <= 10 or v[10] not in "Tt_ "
    return False


@st.composite
def row_data(draw: Any, model: str, store: bool, narrow: bool = True) -> dict[str, Any]:
    """A model's keyword values: each field missing, of its type, or anything else."""
    out: dict[str, Any] = {}
    for name in REFERENCE[model].model_fields:
        k = kind(model, name)
        if model == "Scorecard" and (name == "profile" or name in ROWS):
            continue
        pick = draw(st.integers(0, 9))
        if pick < 5 or (name in ("id", "month", "source", "school_year") and pick < 8):
            out[name] = draw(good(k, store))
        elif pick < 7:
            out[name] = draw(spelled(k).filter(_not_datetime_text) if narrow and "date" in k
                             else spelled(k))
        elif pick < 9:
            out[name] = draw(wrong(k, narrow))
    if draw(st.integers(0, 9)) == 0:
        out[draw(st.sampled_from(["extra", "status_date", "ID"]))] = draw(scalars)
    return out


@st.composite
def card_data(draw: Any, store: bool, narrow: bool = True) -> dict[str, Any]:
    out = draw(row_data("Scorecard", store, narrow))
    if draw(st.booleans()):
        out["profile"] = draw(st.one_of(row_data("Profile", store, narrow), scalars))
    for entity, model in ROWS.items():
        if draw(st.integers(0, 3)) == 0:
            out[entity] = draw(st.lists(st.one_of(row_data(model, store, narrow), scalars),
                                        max_size=3))
    return out


# -- the two sides -------------------------------------------------------------------------

def outcome(make: Any) -> tuple[str, str | None]:
    """What making one gave: its JSON dump (NaN and the key order as written), or refused."""
    try:
        made = make()
    except (ValidationError, Invalid):
        return "refused", None
    return "made", json.dumps([made.model_dump(mode="json"), repr(made.model_dump())])


def python_dump(made: Any) -> str:
    return repr(made.model_dump())


def instances(data: dict[str, Any], classes: dict[str, Any]) -> dict[str, Any]:
    """A scorecard's keywords as a caller gives them: its rows and profile as instances (of
    ``classes``), where they are made at all."""
    out = dict(data)
    if isinstance(out.get("profile"), dict):
        try:
            out["profile"] = classes["Profile"](**out["profile"])
        except (ValidationError, Invalid):
            out.pop("profile")
    for entity, model in ROWS.items():
        rows = []
        for r in out.get(entity) or []:
            try:
                rows.append(classes[model](**r) if isinstance(r, dict) else r)
            except (ValidationError, Invalid):
                continue
        if entity in out:
            out[entity] = rows
    return out


PLAIN = {name: getattr(plain, name) for name in REFERENCE}
MODELS = sorted(REFERENCE.keys() - {"Scorecard"})


@settings(max_examples=150, deadline=None)
@given(st.data())
@pytest.mark.parametrize("model", MODELS)
def test_each_row_from_the_store_reads_as_pydantic_read_it(model: str, data: Any) -> None:
    values = data.draw(row_data(model, store=True))
    assert outcome(lambda: PLAIN[model].model_validate(values)) == \
        outcome(lambda: REFERENCE[model].model_validate(values))


@settings(max_examples=150, deadline=None)
@given(st.data())
@pytest.mark.parametrize("model", MODELS)
def test_each_row_made_with_keywords_as_pydantic_made_it(model: str, data: Any) -> None:
    """What the reader and the examples hand over: dates as dates, ints for floats (3 is
    3.0 in the store, as before), anything else refused as before."""
    values = data.draw(row_data(model, store=False))
    assert outcome(lambda: PLAIN[model](**values)) == \
        outcome(lambda: REFERENCE[model](**values))


@settings(max_examples=300, deadline=None)
@given(card_data(store=True))
def test_a_stored_scorecard_reads_as_pydantic_read_it(values: dict[str, Any]) -> None:
    assert outcome(lambda: plain.Scorecard.model_validate(values)) == \
        outcome(lambda: Scorecard.model_validate(values))


@settings(max_examples=300, deadline=None)
@given(card_data(store=False))
def test_a_scorecard_made_with_keywords_as_pydantic_made_it(values: dict[str, Any]) -> None:
    assert outcome(lambda: plain.Scorecard(**instances(values, PLAIN))) == \
        outcome(lambda: Scorecard(**instances(values, REFERENCE)))


@settings(max_examples=300, deadline=None)
@given(st.data())
@pytest.mark.parametrize("model", [*MODELS, "Scorecard"])
def test_narrower_only_where_said(model: str, data: Any) -> None:
    """Any value at all (numbers and datetimes as text in date fields too): what the plain
    classes make, pydantic made the same; what pydantic refused, they refuse."""
    values = data.draw(card_data(True, narrow=False) if model == "Scorecard"
                       else row_data(model, store=True, narrow=False))
    ours = outcome(lambda: PLAIN[model].model_validate(values))
    theirs = outcome(lambda: REFERENCE[model].model_validate(values))
    assert ours == theirs or (ours[0] == "refused" and _has_date_spelling(values))


def _has_date_spelling(values: Any) -> bool:
    """A number or a datetime as text somewhere (where pydantic read a date from it)."""
    if isinstance(values, dict):
        return any(_has_date_spelling(v) for v in values.values())
    if isinstance(values, list):
        return any(_has_date_spelling(v) for v in values)
    return not _not_datetime_text(values) or (isinstance(values, int | float)
                                               and not isinstance(values, bool))


# -- the rest of what callers use ----------------------------------------------------------

STORED = {"source": "d.xlsx", "school_year": "2026-27", "profile": {"as_of": "2026-10-15"},
          "measures": [{"row": 5, "id": "M1", "baseline": 40, "baseline_date": "2026-08-01",
                        "actuals": {"2026-09": 41}}],
          "needs": [{"id": "N1", "priority": "yes"}], "columns": {"measures": {"id": "A"}},
          "settings": {"at_risk_band": 0.1}}


def test_the_fields_stand_in_pydantic_order_with_its_defaults() -> None:
    for name, ref in REFERENCE.items():
        assert list(PLAIN[name].model_fields) == list(ref.model_fields), name
    assert plain.Scorecard(source="", school_year="x").model_dump() == \
        Scorecard(source="", school_year="x").model_dump()


def test_defaults_made_by_a_factory_are_each_instances_own() -> None:
    a, b = plain.Scorecard(source="", school_year="x"), plain.Scorecard(source="", school_year="x")
    a.measures.append(plain.Measure(id="M1"))
    a.profile.as_of = date(2026, 1, 1)
    a.settings["x"] = 1.0
    assert b.measures == [] and b.profile.as_of is None and b.settings == {}
    m = plain.Measure(id="M2")
    m.actuals["2026-09"] = 1.0
    assert plain.Measure(id="M3").actuals == {}


def test_a_copy_is_shallow_and_its_update_is_not_checked_as_pydantic_s() -> None:
    for classes in (PLAIN, REFERENCE):
        card = classes["Scorecard"].model_validate(STORED)
        copy = card.model_copy(update={"level": "school", "source": 3})
        assert copy.measures is card.measures and copy.profile is card.profile
        assert (copy.level, copy.source, card.level) == ("school", 3, "district")
        m = card.measures[0].model_copy(update={"row": 0, "baseline": 7})
        assert (m.row, m.baseline, m.actuals is card.measures[0].actuals) == (0, 7, True)


def test_the_same_instances_and_containers_as_pydantic_kept() -> None:
    for classes in (PLAIN, REFERENCE):
        profile, rows = classes["Profile"](), [classes["Measure"](id="M1")]
        actuals = {"2026-09": 1.0}
        card = classes["Scorecard"](source="", school_year="x", profile=profile,
                                    measures=rows)
        assert card.profile is profile and card.measures[0] is rows[0]
        assert card.measures is not rows  # a new list, of the same instances
        assert classes["Measure"](id="M1", actuals=actuals).actuals is not actuals
        assert classes["Scorecard"].model_validate(card) is card


def test_equal_when_the_values_are_as_pydantic_s() -> None:
    for classes in (PLAIN, REFERENCE):
        a = classes["Scorecard"].model_validate(STORED)
        b = classes["Scorecard"].model_validate(json.loads(json.dumps(STORED)))
        assert a == b and a.measures[0] == b.measures[0]
        b.measures[0].baseline = 41.0
        assert a != b and a.measures[0] != classes["Action"](id="M1")


def test_a_keyword_a_row_has_not_is_an_error_elsewhere_ignored() -> None:
    with pytest.raises(ValueError, match="idd: Extra inputs are not permitted"):
        plain.Measure(id="M1", idd="M2")
    assert plain.Profile(status_date="x") == plain.Profile()  # as pydantic: ignored
    assert plain.Scorecard(source="", school_year="x", other=1).model_dump() == \
        Scorecard(source="", school_year="x", other=1).model_dump()


def test_a_refusal_names_every_value_and_is_a_value_error() -> None:
    """Callers let it through (a bug, or a damaged store), as pydantic's ValidationError,
    itself a ValueError: never taken for a district's problem (a SheetsyncError)."""
    with pytest.raises(Invalid) as found:
        plain.Scorecard.model_validate({"source": 1, "measures": [{"id": "M1",
                                                                   "baseline": "x"}, 3]})
    assert isinstance(found.value, ValueError)
    assert [loc for loc, _ in found.value.errors] == [
        ("source",), ("school_year",), ("measures", 0, "baseline"), ("measures", 1)]
    assert "measures.0.baseline: Input should be a valid number" in str(found.value)
    with pytest.raises(ValueError, match="has no field 'bogus'"):
        plain.Measure(id="M1").bogus = 1
    again = pickle.loads(pickle.dumps(found.value))  # from a reading process, whole
    assert (str(again), again.errors) == (str(found.value), found.value.errors)


def test_a_scorecard_and_its_dump_from_both_are_byte_for_byte_the_same() -> None:
    ours = plain.Scorecard.model_validate(STORED)
    theirs = Scorecard.model_validate(STORED)
    assert json.dumps(ours.model_dump(mode="json")) == json.dumps(theirs.model_dump(mode="json"))
    assert repr(ours.model_dump(exclude={"source", "columns"})) == \
        repr(theirs.model_dump(exclude={"source", "columns"}))
    assert ours.cell("measures", "id", 5) == "A5"


@pytest.mark.parametrize("value", [86400, "86400", "2026-01-05T00:00:00", "2026-01-05 00:00"])
def test_the_date_spellings_no_one_writes_are_refused(value: Any) -> None:
    assert Measure(id="M1", baseline_date=value).baseline_date is not None  # pydantic took it
    with pytest.raises(Invalid, match="baseline_date: Input should be a valid date"):
        plain.Measure(id="M1", baseline_date=value)


def test_a_datetime_at_midnight_is_its_date_and_any_other_is_refused() -> None:
    assert plain.Goal(id="G1", target_date=datetime(2026, 6, 30)).target_date == \
        date(2026, 6, 30)
    with pytest.raises(Invalid, match="should have zero time"):
        plain.Goal(id="G1", target_date=datetime(2026, 6, 30, 12))


def test_a_field_of_a_type_without_a_reader_is_said_when_its_class_is_made() -> None:
    with pytest.raises(TypeError, match=r"Odd.when: a Record has no reader for 'datetime'"):
        type("Odd", (plain.Row,), {"__annotations__": {"when": "datetime"}})


def test_a_scorecard_pickles_and_copies_whole() -> None:
    card = plain.Scorecard.model_validate(STORED)
    for again in (pickle.loads(pickle.dumps(card)), copy.deepcopy(card), copy.copy(card)):
        assert again == card and json.dumps(again.model_dump(mode="json")) == \
            json.dumps(card.model_dump(mode="json"))
    assert copy.deepcopy(card).measures[0] is not card.measures[0]
