"""The cohort file is checked by hand (``cohort.fields``) so a pull starts without pydantic;
these tests prove it accepts, converts and refuses exactly what the pydantic model it replaced
did, with the same messages in the same order. The reference model is that model, verbatim
(with main's school cohorts: ``level``, ``district`` and ``[[school]]``)."""

from __future__ import annotations

import json
import tomllib
from dataclasses import asdict, replace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from sheetsync.cohort.fields import Invalid, one_address, parse_cohort
from sheetsync.schema.level import Level, LevelKey, level_of
from sheetsync.schema.schoolyear import SchoolYear
from sheetsync.schema.settings import AT_RISK_BAND, UPDATE_DUE_DAY, Setting


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CohortInfo(_Strict):
    name: str
    school_year: str
    level: LevelKey = "district"
    district: str = ""

    @field_validator("school_year")
    @classmethod
    def _year(cls, value: str) -> str:
        return SchoolYear.parse(value).label


def _setting(s: Setting) -> Any:
    return Field(s.default, ge=s.low, le=s.high, description=s.explain)


class StatusOverrides(_Strict):
    at_risk_band: float = _setting(AT_RISK_BAND)
    update_due_day: int = _setting(UPDATE_DUE_DAY)


class MasterSettings(_Strict):
    path: str = "cohort_master.xlsx"
    google_sheet: str | None = None


class District(_Strict):
    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    source: str = ""
    contacts: list[str] = Field(default_factory=list)


class SmtpSettings(_Strict):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    host: str = Field(min_length=1)
    port: int = Field(587, ge=1, le=65535)
    sender: str = Field(alias="from")
    starttls: bool = True
    username: str | None = None
    cafile: str | None = None
    timeout: float = Field(30, gt=0)
    digest_to: list[str] = Field(default_factory=list)

    @field_validator("sender")
    @classmethod
    def _sender(cls, value: str) -> str:
        return one_address(value)

    @field_validator("digest_to", mode="before")
    @classmethod
    def _digest(cls, value: Any) -> Any:
        value = [value] if isinstance(value, str) else value
        return [one_address(v) for v in value] if isinstance(value, list) else value


class Cohort(_Strict):
    cohort: CohortInfo
    status: StatusOverrides = Field(default_factory=StatusOverrides)
    master: MasterSettings = Field(default_factory=MasterSettings)
    google: dict[str, str] = Field(default_factory=dict)
    smtp: SmtpSettings | None = None
    district: list[District] = Field(default_factory=list)
    school: list[District] = Field(default_factory=list)

    @field_validator("district", "school")
    @classmethod
    def _unique(cls, districts: list[District], info: ValidationInfo) -> list[District]:
        ids = [d.id for d in districts]
        for i, did in enumerate(ids):
            if did in ids[:i]:
                raise ValueError(f"{info.field_name} id {did!r} is listed twice")
        return districts

    @model_validator(mode="after")
    def _level(self) -> Cohort:
        info = self.cohort
        if info.level == "school" and not info.district:
            raise ValueError('a school cohort (level = "school") names its district\'s '
                             'workbook: add district = "district.xlsx" under [cohort]')
        other = "district" if info.level == "school" else "school"
        if getattr(self, other):
            raise ValueError(f"a cohort of {self.words.plural} lists [[{self.words.noun}]] "
                             f"entries, not [[{other}]] (or set level = \"{other}\")")
        return self

    @property
    def words(self) -> Level:
        return level_of(self.cohort.level)


def reference(data: dict[str, Any]) -> Any:
    try:
        return "ok", json.loads(Cohort.model_validate(data).model_dump_json())
    except ValidationError as exc:
        return "invalid", [(".".join(map(str, e["loc"])), e["msg"]) for e in exc.errors()]


def by_hand(data: dict[str, Any]) -> Any:
    try:
        cohort = parse_cohort(data)
    except Invalid as exc:
        return "invalid", [(".".join(loc), msg) for loc, msg in exc.errors]
    found = asdict(replace(cohort, status=None))
    found["status"] = cohort.status.to_dict()
    for key in ("path", "_doc", "_text", "_unkept"):
        found.pop(key)
    return "ok", json.loads(json.dumps(found))


START = '[cohort]\nname = "A"\nschool_year = "2026-27"\n'
CASES = {
    "a long school year is written short": '[cohort]\nname="A"\nschool_year="2026-2027"\n',
    "not a school year": '[cohort]\nname="A"\nschool_year="2026"\n',
    "a number for a name, no year": '[cohort]\nname=3\n',
    "an unknown section, reported last": 'x=1\n' + START,
    "numbers written as text": START + '[status]\nat_risk_band="0.2"\nupdate_due_day=10.0\n',
    "out of bounds and unknown": START + '[status]\nat_risk_band=2\nupdate_due_day=0\nfoo=1\n',
    "not numbers": START + '[status]\nat_risk_band="x"\nupdate_due_day=10.5\n',
    "a zero band": START + '[status]\nat_risk_band=0\nupdate_due_day="12"\n',
    "master and google": START + '[master]\npath="m.xlsx"\ngoogle_sheet="abc"\n'
                                 '[google]\napi_url="http://x"\n',
    "a number in google": START + '[google]\napi_url=3\n',
    "google not a table": START + 'google=3\n',
    "smtp, every key": START + '[smtp]\nhost="h"\nfrom="a@b.org"\nport="25"\nstarttls="no"\n'
                               'timeout=5\ndigest_to="c@d.org"\nusername="u"\ncafile="c.pem"\n',
    "smtp, every key wrong": START + '[smtp]\nhost=""\nfrom="nobody"\nport=0\ntimeout=0\n'
                                     'digest_to=["x"]\nstarttls="maybe"\n',
    "smtp by field name": START + '[smtp]\nhost="h"\nsender="a@b.org"\n',
    "smtp without host or sender": START + '[smtp]\nport=25\n',
    "a district listed twice": START + '[[district]]\nid="A"\nname="B"\n[[district]]\nid="A"\n'
                                       'name="C"\nsource="x.xlsx"\ncontacts=["a@b.org"]\n',
    "districts with a typo": START + '[[district]]\nid=""\nname="B"\nsourse="x"\n'
                                     '[[district]]\nname="C"\ncontacts="a@b.org"\n',
    "a number among contacts": START + '[[district]]\nid="A"\nname="B"\ncontacts=[1]\n',
    "district not a list": START + 'district=3\n',
    "district not tables": START + 'district=[1]\n',
    "cohort not a table": 'cohort=3\n',
    "a school cohort": '[cohort]\nname="A"\nschool_year="2026-27"\nlevel="school"\n'
                       'district="d.xlsx"\n[[school]]\nid="S1"\nname="One"\n',
    "a school cohort without its district": '[cohort]\nname="A"\nschool_year="2026-27"\n'
                                            'level="school"\n[[school]]\nid="S1"\nname="O"\n',
    "a school cohort listing districts": '[cohort]\nname="A"\nschool_year="2026-27"\n'
                                         'level="school"\ndistrict="d.xlsx"\n'
                                         '[[district]]\nid="A"\nname="B"\n',
    "a district cohort listing schools": START + '[[school]]\nid="S1"\nname="One"\n',
    "an unknown level": START + 'level="state"\n',
    "a number for a level and a district": '[cohort]\nname="A"\nschool_year="2026-27"\n'
                                           'level=2\ndistrict=3\n',
    "a school listed twice": '[cohort]\nname="A"\nschool_year="2026-27"\nlevel="school"\n'
                             'district="d.xlsx"\n[[school]]\nid="S"\nname="B"\n'
                             '[[school]]\nid="S"\nname="C"\n',
    "schools with a typo": START + '[[school]]\nid=""\nname="B"\nsourse="x"\n',
    "school not a list": START + 'school=3\n',
    "an empty file": '',
}


@pytest.mark.parametrize("text", CASES.values(), ids=CASES.keys())
def test_the_cohort_file_reads_as_the_pydantic_model_read_it(text: str) -> None:
    data = tomllib.loads(text)
    assert by_hand(data) == reference(data)


values = st.one_of(st.none(), st.booleans(), st.integers(-5, 70000), st.floats(-2, 40),
                   st.sampled_from(["", "x", "0.2", "12", "yes", "2026-27", "a@b.org",
                                    "Jane <j@x.org>", "school", "district", "d.xlsx"]),
                   st.lists(st.sampled_from(["a@b.org", "x", ""]), max_size=2))
KEYS = {"cohort": ["name", "school_year", "level", "district"],
        "status": ["at_risk_band", "update_due_day"],
        "master": ["path", "google_sheet"], "google": ["api_url"],
        "smtp": ["host", "from", "sender", "port", "starttls", "timeout", "digest_to",
                 "username"],
        "district": ["id", "name", "source", "contacts"],
        "school": ["id", "name", "source", "contacts"]}


def section(name: str) -> st.SearchStrategy[dict[str, Any]]:
    keys = st.sampled_from([*KEYS[name], "extra"])
    return st.dictionaries(keys, values.filter(lambda v: v is not None), max_size=5)


documents = st.fixed_dictionaries(
    {"cohort": st.one_of(section("cohort"), st.just({"name": "A", "school_year": "2026-27"}),
                         st.just({"name": "A", "school_year": "2026-27", "level": "school",
                                  "district": "d.xlsx"}))},
    optional={"status": section("status"), "master": section("master"),
              "google": section("google"), "smtp": section("smtp"),
              "district": st.lists(section("district"), max_size=3),
              "school": st.lists(section("school"), max_size=3),
              "other": st.integers()})


@settings(max_examples=300, deadline=None)
@given(documents)
def test_any_cohort_file_reads_as_the_pydantic_model_read_it(data: dict[str, Any]) -> None:
    assert by_hand(data) == reference(data)
