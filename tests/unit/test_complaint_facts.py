"""One definition of a complaint's facts (core.complaint_facts) drives the intake type, the model, the form's
checkboxes, the correctable facts and the classification inputs."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from core import complaint_facts as cf
from core.complaints import Facts
from db.models import Complaint
from db.services.complaint_grades import FACT_FIELDS
from db.services.complaints import ComplaintIn

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)


def test_every_fact_is_a_model_column_with_the_same_default():
    columns = Complaint.__table__.columns
    for f in cf.FACTS:
        assert f.name in columns, f"Complaint has no column for the fact {f.name}"
        assert Complaint.model_fields[f.name].default == f.default, f.name


def test_the_intake_type_carries_every_fact_with_its_default():
    intake = {f.name: f for f in dataclasses.fields(ComplaintIn)}
    for f in cf.FACTS:
        assert f.name in intake and intake[f.name].default == f.default


def test_every_fact_has_a_chinese_label_and_flags_are_the_booleans():
    assert all(cf.FACT_LABELS[name] for name in cf.FACT_NAMES)
    assert set(cf.FLAG_FACTS) == set(cf.FACT_NAMES) - {"complainant_count"}
    assert FACT_FIELDS == cf.EDITABLE_FACTS


def test_classification_inputs_come_from_the_marked_facts():
    intake = ComplaintIn(office_id=1, channel="phone", category="engineering", description="d", occurred_at=NOW,
                         complainant_count=7, our_fault=True, lawsuit=True, media_exposed=True,
                         media_or_lawsuit_risk=True, needs_group_help=False, sensitive=True)
    facts = cf.classification_facts(intake, as_of=NOW, arose_at=NOW, same_issue_distinct_complainants=2,
                                    resolved=False, repeat_after_close=False, has_consult=True)
    assert facts == Facts(as_of=NOW, arose_at=NOW, complainant_count=7, lawsuit=True, media_exposed=True,
                          media_or_lawsuit_risk=True, same_issue_distinct_complainants=2, our_fault=True,
                          resolved=False, repeat_after_close=False, needs_help=True)
    marked = {f.metadata["classifies"] for f in cf.FACTS if f.metadata["classifies"]}
    assert marked <= {f.name for f in dataclasses.fields(Facts)}
