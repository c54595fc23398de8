#!/usr/bin/env python3
"""Builds data/router/public_batch_mtbench_turn2.jsonl: MT-Bench's 80 second turns as
three-message conversations (first question, gpt-4-1106-preview's answer to it, the
second question), from lm-sys/RouteLLM's evaluation data (Apache-2.0).

    python3 tools/router/build_mtbench_turn2.py ../shared/data/public \
        > data/router/public_batch_mtbench_turn2.jsonl

The labels below were given by data/router/LABELLING.md ("several turns: label the
last user turn, in the context of the earlier ones") before the router was run on
any of these conversations. Deterministic: the same input gives the same bytes.
"""
import json
import sys
from pathlib import Path

PRO = {
    "multi_step_reasoning", "codebase_debugging", "agent_tool_chaining", "long_coherent_output",
}

SC, QA, CODE, MSR = "structured_content", "straightforward_qa", "coding_moderate", "multi_step_reasoning"

# question_id -> category of the second turn; a comment says why where it is Pro or
# where the first turn's label changes.
LABELS = {
    81: SC, 82: SC, 83: SC, 84: SC, 85: SC, 86: SC, 87: SC,
    88: "summarization", 89: SC, 90: SC,
    91: QA, 92: QA, 93: QA, 94: QA, 95: "translation", 96: QA, 97: QA, 98: QA,
    99: MSR,   # a proof (of Pythagoras), after a proof
    100: SC,
    101: QA, 102: QA, 103: QA, 104: QA,
    105: MSR,  # follows up the parking-lot constraint puzzle
    106: MSR,  # reasoning back over three price statements
    107: MSR,  # a chain of seven family relations: new evidence after a one-step first turn
    108: QA,
    109: MSR,  # follows up the shadow-direction deduction
    110: QA,
    111: MSR,  # circumcircle from side lengths and area
    112: QA,   # half of the previous amount: one operation
    113: MSR,  # conditional probability
    114: MSR,  # probability of a union
    115: MSR,  # needs the first turn's worked-back count
    116: MSR,  # algebra: express z - x in y
    117: MSR,  # solve an absolute-value inequality and count
    118: MSR,  # modular arithmetic over dependent steps
    119: QA,   # a 25% markup on the total already found: one operation
    120: MSR,  # roots of a cubic: new evidence after a one-step evaluation
    121: CODE, 122: CODE, 123: CODE, 124: CODE, 125: CODE, 126: CODE, 127: CODE,
    128: CODE, 129: CODE, 130: CODE,
    131: SC, 132: SC, 133: SC,
    134: MSR,  # a margin for each of six companies, computed from figures in the text
    135: SC, 136: SC, 137: SC, 138: SC, 139: SC, 140: SC,
    141: QA, 142: QA, 143: QA, 144: QA, 145: QA, 146: QA, 147: QA, 148: QA, 149: QA, 150: QA,
    151: QA, 152: SC, 153: QA, 154: SC, 155: SC, 156: SC, 157: SC, 158: SC, 159: SC, 160: SC,
}

STRONG = "gpt-4-1106-preview"


def first_answer(user_prompt):
    """gpt-4's answer to the first turn, from the judge's view of the conversation."""
    convo = user_prompt.split("<|The Start of Assistant A's Conversation with User|>", 1)[1]
    after = convo.split("### Assistant A:\n", 1)[1]
    return after.split("\n\n### User:\n", 1)[0].strip()


def main(public):
    root = Path(public) / "routellm"
    questions = {}
    for line in (root / "mt_bench_question.jsonl").read_text(encoding="utf-8").splitlines():
        q = json.loads(line)
        questions[q["question_id"]] = q
    answers = {}
    for line in (root / "mt_bench_judgements.jsonl").read_text(encoding="utf-8").splitlines():
        j = json.loads(line)
        if j["model"] == STRONG and j["turn"] == 2:
            answers[j["question_id"]] = first_answer(j["user_prompt"])
    assert sorted(LABELS) == sorted(questions) == sorted(answers), "one label and one answer per question"
    for qid in sorted(questions):
        q = questions[qid]
        category = LABELS[qid]
        request = {"model": "auto", "messages": [
            {"role": "user", "content": q["turns"][0]},
            {"role": "assistant", "content": answers[qid]},
            {"role": "user", "content": q["turns"][1]},
        ]}
        row = {"id": f"mtbench-turn2-{q['category']}-{qid}", "category": category,
               "tier": "pro" if category in PRO else "flash", "request": request}
        print(json.dumps(row, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/public")
