"""The demo's settings of the results feature: the seed's office writes scores with one decimal
("得分为99.7分") and keeps the common advice per grade."""
from workflow.extensions import db
from workflow.results import advice


def load_budget_advice(plan):
    plan.budget_advice = {grade: str(text) for grade, text in advice.DEFAULT_ADVICE.items()}
    plan.score_text_decimals = 1
    db.session.commit()
