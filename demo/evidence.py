"""Demo evidence for attached families: the problems they were attached for and the dated facts
the nightly job judges them on, so a newcomer's programme pages show families claimable, in
progress and not claimable, each for a reason the evidence explains.

Three headline problems are used, each with its usual feed (seed 002, Appendix One): a child's
school attendance per term (indicator 1.1, the school census), an anti-social behaviour
intervention (2.2, the police), and a parent on out-of-work benefits (3.1, DWP) who may find
work. Whether each problem is turned around is drawn at random, so the outcomes vary.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from cases.models import Person
from outcomes.models import Evidence, ProblemIdentified, SchoolTerm

SCHOOL_AGE = (5, 16)


class DemoEvidence:
    def __init__(self, rng: random.Random, today: date):
        self.rng = rng
        self.today = today
        self.terms = list(SchoolTerm.objects.order_by("starts_on"))

    def for_attachment(
        self, attachment, *, started: date, parents: list[Person], children: list[Person]
    ) -> tuple[list[Evidence], list[ProblemIdentified]]:
        """The evidence and problems identified for one attachment (unsaved rows)."""
        rng = self.rng
        evidence, problems = [], []
        family = attachment.family
        pupils = [c for c in children if _age(c, started) in range(*SCHOOL_AGE)]
        choices = []
        if pupils:
            choices.append("school")
        if children or parents:
            choices.append("asb")
        if parents:
            choices.append("work")
        if len(choices) < 2:
            return [], []
        for problem in rng.sample(choices, k=min(len(choices), rng.choice((2, 2, 3)))):
            good = rng.random() < 0.6
            if problem == "school":
                child = rng.choice(pupils)
                evidence += self._attendance(family, child, started, good)
                problems.append(self._problem(attachment, "1", "1.1", child))
            elif problem == "asb":
                who = rng.choice(children or parents)
                on = started - timedelta(days=rng.randint(20, 150))
                evidence.append(
                    self._item(
                        family,
                        who,
                        "asb_intervention",
                        on,
                        on,
                        "Police",
                        intervention="acceptable behaviour contract",
                    )
                )
                if not good:
                    later = started + timedelta(days=rng.randint(60, 240))
                    if later < self.today:
                        evidence.append(
                            self._item(
                                family,
                                who,
                                "asb_intervention",
                                later,
                                later,
                                "Police",
                                intervention="community protection warning",
                            )
                        )
                problems.append(self._problem(attachment, "2", "2.2", who))
            else:
                parent = rng.choice(parents)
                claim_from = started - timedelta(days=rng.randint(200, 700))
                job_from = started + timedelta(days=rng.randint(60, 200)) if good else None
                if job_from is not None and job_from >= self.today:
                    job_from = None
                evidence.append(
                    self._item(
                        family,
                        parent,
                        "benefit_claim",
                        claim_from,
                        None if job_from is None else job_from - timedelta(days=1),
                        "DWP",
                        benefit="JSA",
                        work_related_conditions=True,
                    )
                )
                if job_from is not None:
                    evidence.append(
                        self._item(
                            family,
                            parent,
                            "employment",
                            job_from,
                            None,
                            "DWP",
                            hours_per_week=rng.choice((16, 24, 30, 37)),
                        )
                    )
                problems.append(self._problem(attachment, "3", "3.1", parent))
        return evidence, problems

    def _attendance(self, family, child, started, good) -> list[Evidence]:
        rows = []
        before = [t for t in self.terms if t.ends_on < started][-3:]
        during = [t for t in self.terms if t.starts_on >= started and t.ends_on < self.today]
        for term in before + during:
            possible = 120 + self.rng.randint(0, 30)
            share = (
                0.93 + self.rng.random() * 0.05
                if good and term in during
                else 0.78 + self.rng.random() * 0.08
            )
            attended = int(possible * share)
            missed = possible - attended
            rows.append(
                self._item(
                    family,
                    child,
                    "school_attendance",
                    term.starts_on,
                    term.ends_on,
                    "School census",
                    term=term.engine_name,
                    possible_sessions=possible,
                    sessions_attended=attended,
                    authorised_absence=missed // 3,
                    unexplained_absence=missed - missed // 3,
                    concern=False,
                )
            )
        return rows

    def _item(self, family, person, kind, start, end, source, **values) -> Evidence:
        recorded = min(self.today, (end or start) + timedelta(days=self.rng.randint(0, 10)))
        return Evidence(
            family=family,
            person=person,
            kind=kind,
            period_start=start,
            period_end=end,
            values=values,
            source=source,
            recorded_on=recorded,
        )

    @staticmethod
    def _problem(attachment, problem, indicator, person) -> ProblemIdentified:
        return ProblemIdentified(
            attachment=attachment,
            problem=problem,
            indicator=indicator,
            person=person,
            identified_on=attachment.attached_on,
            stage=ProblemIdentified.Stage.ENGAGEMENT,
        )


def _age(person: Person, on: date) -> int:
    born = person.date_of_birth
    if born is None:
        return -1
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))
