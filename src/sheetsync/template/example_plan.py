"""The example cohort's plan, declared once: what a district's strategic goals hold.

Every example scorecard (``examples``, ``school_examples``) is generated from this plan, so
the pieces belong together: each annual goal sits under the strategic goal it serves, maps
to a CDIP goal whose area fits its measures (``FITTING_AREAS``), answers a need, and is
carried out through strategies whose actions serve it. A goal's statement is written from
its first measure's baseline and target, as each district's numbers come out, so the two
always agree. Measures name the grades they count (``grades``), so a school keeps only
those that fit its own. What varies from one district to the next (the numbers, the pace
of progress) is drawn from a seed in ``examples``; what the example *says* is here.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sheetsync.schema.kde import GAP, GRADUATION, GROWTH, PROFICIENCY, TRANSITION
from sheetsync.schema.layout import CHOICES
from sheetsync.schema.vocabulary import KCWP_OTHER, KCWPS

OTHER = CHOICES["cdip_areas"][-1]  # a goal beyond the state's indicators


@dataclass(frozen=True)
class MeasurePlan:
    name: str
    kind: str  # a key of FITTING_AREAS
    unit: str
    baseline: float
    target: float
    frequency: str
    grades: tuple[int, ...] = ()  # the grades it counts (0 kindergarten); () not by grade
    source: str = "District data warehouse"


@dataclass(frozen=True)
class StrategyPlan:
    kcwp: str
    other: str | None  # the approach's name when the KCWP is Other
    description: str
    basis: str  # its research basis
    monitoring: str  # how its actions are monitored
    funding: tuple[str, ...]  # the funding sources its actions draw on
    resources: str


@dataclass(frozen=True)
class GoalPlan:
    key: str
    strategic_goal: int  # its strategic goal, by number (SG1 …)
    cdip: str  # its CDIP goal's key (CDIP_GOALS)
    need: int  # its need, by number (N1 …)
    group: str  # the student group, as the Goals sheet names it
    what: str  # what changes, as the statement says it: "the share of … (MAP)"
    measures: tuple[MeasurePlan, ...]  # the first is the one the statement quotes
    strategies: tuple[tuple[StrategyPlan, tuple[str, ...]], ...]  # each with its actions


# What a measure of each kind can show progress on: the CDIP areas a goal holding it may
# map to (absence and behaviour are conditions for learning, not achievement; staff and
# family measures sit beyond the state's indicators).
FITTING_AREAS: dict[str, tuple[str, ...]] = {
    "proficiency": (PROFICIENCY, GAP, GROWTH),
    "growth": (GROWTH, PROFICIENCY, GAP),
    "gap": (GAP,),
    "graduation": (GRADUATION, TRANSITION),
    "transition": (TRANSITION, GRADUATION),
    "attendance": (TRANSITION, OTHER),
    "behavior": (OTHER,),
    "staff": (OTHER,),
}
ACRONYMS = ("MAP", "KSA", "ACT", "MTSS", "PBIS", "IEP", "CTE")  # written in capitals always

STRATEGIC_GOALS = (
    ("Every student reads and computes on grade level", "Academic achievement"),
    ("Every student graduates ready for college, career and life", "Transition readiness"),
    ("Safe, healthy schools where every student attends and belongs", "Climate and culture"),
    ("Recruit, grow and keep excellent staff", "Talent"),
)
# key: area, statement, indicator, baseline, target (the target four years on)
CDIP_GOALS: dict[str, tuple[str, str, str, float, float]] = {
    "proficiency": (PROFICIENCY, "Increase the share of students scoring proficient or above.",
                    "% of students proficient or distinguished in reading and math (KSA)",
                    46.0, 60.0),
    "gap": (GAP, "Close gaps between student groups.",
            "Gap in reading and math proficiency, students with disabilities and all "
            "students (KSA, points)", 28.0, 18.0),
    "graduation": (GRADUATION, "Raise the four-year cohort graduation rate.",
                   "Four-year adjusted cohort graduation rate (%)", 91.2, 95.0),
    "transition": (TRANSITION, "Increase students meeting transition-readiness benchmarks.",
                   "% of graduates transition ready (KSA)", 62.0, 75.0),
    "growth": (GROWTH, "Increase students meeting growth targets.",
               "% of students meeting their growth target in reading and math (KSA)",
               48.0, 58.0),
    "climate": (OTHER, "Every student in school, safe and supported, every day.",
                "% of students chronically absent", 18.0, 12.0),
    "staff": (OTHER, "Keep effective teachers in every school.",
              "Teacher retention (%)", 84.0, 90.0),
}
# description, data source, priority, root cause, practice area
NEEDS = (
    ("Early reading below the state average", "KSA 2026", True,
     "Uneven Tier 1 reading instruction", "Instruction"),
    ("Chronic absenteeism rising", "Infinite Campus", True,
     "Students and families not connected to school", "Climate"),
    ("Too few graduates transition ready", "KSA 2026", True,
     "Students off track in grade 9 found late", "Support"),
    ("Math growth flat in grades 4-8", "MAP", False,
     "Curriculum not aligned from grade to grade", "Instruction"),
    ("Staff turnover in high-need schools", "HR exit data", False,
     "Working conditions and little support for new teachers", "Talent"),
)

M = MeasurePlan
READING_3 = M("Grade 3 students proficient in reading (MAP)", "proficiency", "%", 42, 50,
              "quarterly", (3,), "MAP Growth")
READING_K3 = M("Students in grades 1-3 at benchmark in reading (MAP)", "proficiency", "%",
               48, 56, "quarterly", (1, 2, 3), "MAP Growth")
READING_GROWTH = M("Students in grades 3-5 meeting their reading growth target (MAP)",
                   "growth", "%", 49, 56, "semester", (3, 4, 5), "MAP Growth")
MATH_GROWTH = M("Students in grades 4-6 meeting their math growth target (MAP)", "growth",
                "%", 45, 53, "semester", (4, 5, 6), "MAP Growth")
MATH_5 = M("Grade 5 students proficient in math (MAP)", "proficiency", "%", 38, 45,
           "quarterly", (5,), "MAP Growth")
MATH_6 = M("Grade 6 students proficient in math (MAP)", "proficiency", "%", 35, 42,
           "quarterly", (6,), "MAP Growth")
MATH_GROWTH_ELEMENTARY = M("Students in grades 3-5 meeting their math growth target (MAP)",
                           "growth", "%", 46, 54, "semester", (3, 4, 5), "MAP Growth")
ALGEBRA_COMMON = M("Algebra I students at benchmark on the common assessments",
                   "proficiency", "%", 48, 58, "quarterly", (9,), "Common assessments")
MATH_MIDDLE = M("Students in grades 6-8 meeting their math growth target (MAP)", "growth",
                "%", 44, 52, "semester", (6, 7, 8), "MAP Growth")
ALGEBRA = M("Grade 9 students proficient on the Algebra I end-of-course exam", "proficiency",
            "%", 36, 44, "semester", (9,), "End-of-course exams")
SWD_READING = M("Students with disabilities in grades 3-8 proficient in reading (MAP)",
                "gap", "%", 21, 28, "quarterly", (3, 4, 5, 6, 7, 8), "MAP Growth")
SWD_READING_ELEMENTARY = M("Students with disabilities in grades 3-5 proficient in reading "
                           "(MAP)", "gap", "%", 19, 26, "quarterly", (3, 4, 5), "MAP Growth")
SWD_GROWTH = M("Students with disabilities in grades 3-8 meeting their reading growth "
               "target (MAP)", "gap", "%", 40, 48, "semester", (3, 4, 5, 6, 7, 8),
               "MAP Growth")
SWD_IEP = M("Students with disabilities meeting their IEP reading goals", "gap", "%", 55, 65,
            "quarterly", (), "IEP progress reports")
GRADUATION_RATE = M("Four-year cohort graduation rate", "graduation", "%", 88, 91, "annual",
                    (12,), "KSA graduation cohort")
ON_TRACK_9 = M("Grade 9 students on track to graduate (credits earned)", "graduation", "%",
               79, 86, "quarterly", (9,), "Infinite Campus")
FAILING = M("Students in grades 9-12 failing a core course", "graduation", "%", 17, 12,
            "quarterly", (9, 10, 11, 12), "Infinite Campus")
TRANSITION_READY = M("Seniors meeting transition readiness (KSA)", "transition", "%", 61, 70,
                     "quarterly", (12,), "Transition-readiness tracker")
CERTIFICATIONS = M("Seniors earning an industry certification", "transition", "count", 48,
                   65, "semester", (12,), "CTE records")
ACT = M("Grade 11 students meeting ACT college benchmarks", "transition", "%", 33, 40,
        "annual", (11,), "ACT")
READY_8 = M("Grade 8 students meeting high-school readiness benchmarks (MAP)", "transition",
            "%", 52, 60, "semester", (8,), "MAP Growth")
LEARNING_PLANS = M("Grade 8 students with an individual learning plan", "transition", "%",
                   70, 95, "semester", (8,), "Individual learning plans")
ABSENT = M("Students chronically absent", "attendance", "%", 18, 14, "monthly", (),
           "Infinite Campus")
ATTENDANCE = M("Average daily attendance", "attendance", "%", 92.5, 94.5, "monthly", (),
               "Infinite Campus")
ATTENDANCE_PLANS = M("Chronically absent students with an attendance plan", "attendance", "%",
                     40, 85, "monthly", (), "Attendance-team logs")
REFERRALS = M("Office discipline referrals", "behavior", "count", 420, 350, "monthly", (),
              "Infinite Campus")
SUSPENSIONS = M("Students suspended out of school", "behavior", "%", 4.1, 3.0, "monthly", (),
                "Infinite Campus")
SAFE = M("Students who feel safe at school (climate survey)", "behavior", "%", 71, 78,
         "semester", (), "Student climate survey")
RETENTION = M("Teacher retention", "staff", "%", 84, 88, "annual", (), "HR records")
MENTORED = M("New teachers meeting their mentor every week", "staff", "%", 60, 90,
             "quarterly", (), "Mentor logs")
VACANCIES = M("Teaching positions vacant", "staff", "count", 14, 6, "semester", (),
              "HR records")

S = StrategyPlan
READING_CORE = S(KCWPS[1], None, "Explicit, systematic reading instruction in every K-3 "
                 "classroom", "What Works Clearinghouse practice guide: Foundational Skills "
                 "to Support Reading for Understanding in Kindergarten Through 3rd Grade "
                 "(strong evidence)",
                 "Classroom walkthroughs with the district's reading look-fors",
                 ("Title I", "General Fund"), "PD days, coaching")
READING_MTSS = S(KCWPS[4], None, "A tiered system of supports (MTSS) for students below the "
                 "reading benchmark", "What Works Clearinghouse practice guide: Response to "
                 "Intervention and Multi-Tier Intervention in the Primary Grades",
                 "Intervention rosters and progress-monitoring scores",
                 ("Title I", "State Grant"), "Intervention teachers, materials")
MATH_CORE = S(KCWPS[1], None, "Explicit math instruction with visual representations",
              "What Works Clearinghouse practice guide: Assisting Students Struggling with "
              "Mathematics: Intervention in the Elementary Grades (strong evidence)",
              "Classroom walkthroughs with the district's math look-fors",
              ("Title I", "General Fund"), "PD days, coaching")
MATH_DATA = S(KCWPS[3], None, "Data teams review common math assessments every two weeks "
              "and regroup students", "What Works Clearinghouse practice guide: Using Student "
              "Achievement Data to Support Instructional Decision Making",
              "Data-team minutes and regrouping logs", ("General Fund",), "PLC time")
CURRICULUM = S(KCWPS[0], None, "A guaranteed and viable math curriculum aligned to the "
               "Kentucky Academic Standards", "Marzano (2003), What Works in Schools",
               "Curriculum-map reviews each semester", ("General Fund",), "Curriculum days")
CO_TEACHING = S(KCWPS[4], None, "Co-taught reading classes with specially designed "
                "instruction for students with disabilities", "What Works Clearinghouse "
                "practice guide: Providing Reading Interventions for Students in Grades 4-9",
                "Co-teaching walkthroughs and IEP progress reports", ("IDEA",),
                "Co-planning time")
EARLY_WARNING = S(KCWPS[3], None, "An early-warning system for students off track to "
                  "graduate", "What Works Clearinghouse practice guide: Preventing Dropout "
                  "in Secondary Schools", "Monthly early-warning reports by school",
                  ("Title I", "General Fund"), "Graduation coaches")
FAMILY = S(KCWP_OTHER, "Family partnership", "Families as partners in attendance and "
           "course progress", "Henderson and Mapp (2002), A New Wave of Evidence",
           "Sign-in sheets and family survey results", ("Title I", "Title IV"),
           "Family liaisons")
ADVISING = S(KCWPS[4], None, "Individual learning plans and advising toward a transition-"
             "readiness path", "What Works Clearinghouse practice guide: Helping Students "
             "Navigate the Path to College", "Advisor caseload reviews each quarter",
             ("Title IV", "General Fund"), "Advisors")
PATHWAYS = S(KCWPS[0], None, "Career pathways that end in an industry certification",
             "Dougherty (2018), The Effects of Career and Technical Education (Education "
             "Finance and Policy)", "Pathway enrollment and certification results",
             ("State Grant", "General Fund"), "CTE teachers, exam fees")
ATTENDANCE_TEAMS = S(KCWPS[5], None, "Attendance teams that reach every chronically absent "
                     "student and family", "Balfanz and Byrnes (2012), The Importance of "
                     "Being in School", "Weekly attendance-team logs of calls and visits",
                     ("Title I", "Title IV"), "Attendance clerks, family liaisons")
PBIS = S(KCWPS[5], None, "School-wide positive behavior interventions and supports (PBIS)",
         "Bradshaw, Mitchell and Leaf (2010), a randomized trial of school-wide PBIS",
         "Behavior data reviewed monthly by each school's PBIS team", ("Title IV",),
         "PBIS coaches")
BEHAVIOR_DATA = S(KCWPS[3], None, "Schools review behavior and climate data every month and "
                  "act on it", "What Works Clearinghouse practice guide: Reducing Behavior "
                  "Problems in the Elementary School Classroom",
                  "Behavior-data reviews in each school's leadership minutes",
                  ("General Fund",), "Leadership-team time")
MENTORING = S(KCWP_OTHER, "Talent development", "Two years of mentoring and induction for "
              "every new teacher", "Ingersoll and Strong (2011), The Impact of Induction and "
              "Mentoring Programs for Beginning Teachers", "Mentor logs and new-teacher "
              "surveys", ("Title II",), "Mentor stipends")
CONDITIONS = S(KCWP_OTHER, "Talent development", "Working conditions surveyed and acted on "
               "in every school", "Ladd (2011), Teachers' Perceptions of Their Working "
               "Conditions", "Survey results and each school's action plan",
               ("Title II", "General Fund"), "Leadership-team time")

G = GoalPlan
READING = G("reading", 1, "proficiency", 1, "Grades 1-5",
            "the share of grade 3 students proficient in reading (MAP)",
            (READING_3, READING_K3, READING_GROWTH),
            ((READING_CORE, ("Train K-3 teachers in the new reading curriculum",
                             "Hire a reading coach for each elementary school",
                             "Quarterly reading walkthroughs with feedback")),
             (READING_MTSS, ("Daily 30-minute reading intervention block",
                             "Buy a reading progress-monitoring tool"))))
GRADUATION_GOAL = G("graduation", 2, "graduation", 3, "Grade 12",
                    "the four-year cohort graduation rate",
                    (GRADUATION_RATE, ON_TRACK_9, FAILING),
                    ((EARLY_WARNING, ("Launch the grade 9 early-warning report",
                                      "A graduation coach in each high school",
                                      "After-school credit recovery")),
                     (FAMILY, ("A family conference for every student off track",
                               "Family night on graduation requirements"))))
ATTENDANCE_GOAL = G("attendance", 3, "climate", 2, "All students",
                    "the share of students chronically absent", (ABSENT, ATTENDANCE,
                                                                 ATTENDANCE_PLANS),
                    ((ATTENDANCE_TEAMS, ("An attendance team in every school",
                                         "Call home after a student's second absence",
                                         "Home visits for students missing 10% of days")),
                     (FAMILY, ("Family attendance nights at each school",
                               "Monthly attendance letters to families"))))
STAFF_GOAL = G("staff", 4, "staff", 5, "Certified staff", "teacher retention",
               (RETENTION, MENTORED, VACANCIES),
               ((MENTORING, ("Match every new teacher with a trained mentor",
                             "Train 20 mentor teachers",
                             "Monthly new-teacher cohort meetings")),
                (CONDITIONS, ("Run the working-conditions survey",
                              "Each school's leadership team acts on its results"))))
MATH = G("math", 1, "growth", 4, "Grades 4-6",
         "the share of students in grades 4-6 meeting their math growth target (MAP)",
         (MATH_GROWTH, MATH_5, MATH_6),
         ((MATH_CORE, ("Train grade 4-6 teachers in explicit math instruction",
                       "A math coach models lessons in grades 4-6",
                       "Quarterly math walkthroughs with feedback")),
          (MATH_DATA, ("Weekly PLC meetings on common math assessments",
                       "Regroup students for math intervention every two weeks"))))
TRANSITION_GOAL = G("transition", 2, "transition", 3, "Grade 12",
                    "the share of seniors meeting transition readiness (KSA)",
                    (TRANSITION_READY, CERTIFICATIONS, ACT),
                    ((ADVISING, ("An advisor meets each senior about a readiness path",
                                 "ACT preparation course for juniors",
                                 "College and career fair")),
                     (PATHWAYS, ("Open a health-science pathway with certification",
                                 "Pay seniors' certification exam fees"))))
BEHAVIOR = G("behavior", 3, "climate", 2, "All students", "office discipline referrals",
             (REFERRALS, SUSPENSIONS, SAFE),
             ((PBIS, ("Train every school's PBIS team",
                      "Teach school-wide expectations the first week of each term",
                      "Restorative-practices training for staff")),
              (BEHAVIOR_DATA, ("Monthly behavior-data review at each school",
                               "Student climate survey each semester"))))
GAP_GOAL = G("gap", 1, "gap", 1, "Students with disabilities",
             "the share of students with disabilities in grades 3-8 proficient in reading "
             "(MAP)", (SWD_READING, SWD_GROWTH, SWD_IEP),
             ((CO_TEACHING, ("Train co-teaching pairs in specially designed instruction",
                             "Weekly co-planning time for co-teachers",
                             "Review IEP reading goals each quarter")),
              (READING_MTSS, ("Tier 3 reading intervention for students below benchmark",
                              "Progress-monitor students with disabilities every two "
                              "weeks"))))

# A district's goals in order: the first four cover the four strategic goals, so a smaller
# example (``goals=4``) still answers every one.
DISTRICT_GOALS = (READING, ATTENDANCE_GOAL, GRADUATION_GOAL, STAFF_GOAL, MATH,
                  TRANSITION_GOAL, BEHAVIOR, GAP_GOAL)

# A school's goals, by its level: only measures of the grades it teaches, and CDIP areas
# the state asks of a school (its attendance goal under Transition Readiness).
SCHOOL_GRADES = {"elementary": (0, 1, 2, 3, 4, 5), "middle": (6, 7, 8), "high": (9, 10, 11, 12)}
SCHOOL_ATTENDANCE = replace(ATTENDANCE_GOAL, cdip="transition", strategies=(
    (ATTENDANCE_TEAMS, ("Form the school's attendance team",)),
    (FAMILY, ("A family attendance night each quarter",))))
SCHOOL_GOALS: dict[str, tuple[GoalPlan, ...]] = {
    "elementary": (
        READING,
        G("math", 1, "proficiency", 4, "Grades 3-5",
          "the share of grade 5 students proficient in math (MAP)",
          (MATH_5, MATH_GROWTH_ELEMENTARY),
          ((MATH_CORE, ("Train grade 3-5 teachers in explicit math instruction",)),
           (MATH_DATA, ("Weekly PLC meetings on common math assessments",)))),
        SCHOOL_ATTENDANCE,
        G("gap", 1, "gap", 1, "Students with disabilities",
          "the share of students with disabilities in grades 3-5 proficient in reading (MAP)",
          (SWD_READING_ELEMENTARY, SWD_IEP), GAP_GOAL.strategies)),
    "middle": (
        G("ready", 2, "transition", 3, "Grade 8",
          "the share of grade 8 students meeting high-school readiness benchmarks (MAP)",
          (READY_8, LEARNING_PLANS),
          ((ADVISING, ("Grade 8 students build their high-school learning plans",)),
           (MATH_DATA, ("Regroup grade 8 students for math support every two weeks",)))),
        SCHOOL_ATTENDANCE,
        G("math", 1, "growth", 4, "Grades 6-8",
          "the share of students in grades 6-8 meeting their math growth target (MAP)",
          (MATH_MIDDLE, MATH_6),
          ((MATH_CORE, ("Train grade 6-8 teachers in explicit math instruction",)),
           (MATH_DATA, ("Weekly PLC meetings on common math assessments",))))),
    "high": (
        G("algebra", 1, "proficiency", 3, "Grade 9",
          "the share of grade 9 students proficient on the Algebra I end-of-course exam",
          (ALGEBRA, ALGEBRA_COMMON),
          ((MATH_CORE, ("Train Algebra I teachers in explicit math instruction",)),
           (MATH_DATA, ("Regroup Algebra I students for intervention every two weeks",)))),
        replace(GRADUATION_GOAL, measures=(GRADUATION_RATE, ON_TRACK_9)),
        SCHOOL_ATTENDANCE),
}

# How far along each district is, in turn (the share of the expected progress its measures
# make): a district clearly on track, one holding steady, one struggling.
PACES = {"ahead": (1.05, 1.15, 1.25, 1.35), "steady": (0.8, 0.95, 1.05, 1.15),
         "behind": (0.2, 0.45, 0.7, 0.9, 1.0)}
DISTRICT_PACES = ("ahead", "steady", "behind", "steady", "behind", "ahead")

# What a month's update says: milestones, successes, roadblocks, in turn by month.
UPDATE_NOTES = (
    ("Scorecard reviewed at the leadership meeting", "Attendance teams formed in every "
     "school", "Substitute shortage"),
    ("Fall MAP results reviewed with principals", "Reading coaches hired",
     "Two teaching vacancies still open"),
    ("Data teams met in every school", "Fewer office referrals than last fall",
     "Intervention schedules still settling"),
    ("Winter MAP testing scheduled", "Family conference turnout up",
     "Flu season absences"),
)

__all__ = ["ACRONYMS", "CDIP_GOALS", "DISTRICT_GOALS", "DISTRICT_PACES", "FITTING_AREAS",
           "NEEDS", "OTHER", "PACES", "SCHOOL_GOALS", "SCHOOL_GRADES", "STRATEGIC_GOALS",
           "UPDATE_NOTES", "GoalPlan", "MeasurePlan", "StrategyPlan"]
