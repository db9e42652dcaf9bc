"""Generate the NLP scenario's shipped data: synthetic customer-support tickets (deterministic).

Four classes: billing, technical, account, shipping. Each ticket is a complaint built from
templates and vocabulary of its class, wrapped in openings, order numbers and sign-offs that all
classes share. Some tickets mention a second topic in passing ("I already reset my password,
but ..."), and a few carry a wrong label as real ticket queues do, so a model cannot score 100%
and validation metrics look like real ones (about 0.9).

Writes, with a fixed seed (the same files every time):
- ``support_tickets.csv``   ticket_id, text, label (+ a few deliberately broken rows at the end)
- ``drift-sample.csv``      production-like tickets without labels: longer texts, more shipping
- ``batch-sample/``         files to score: a CSV with a ``text`` column, a TXT with one text per
                            line, and a broken CSV without a ``text`` column

    python data/nlp/generate_tickets.py                 # rewrites the files above
    python data/nlp/generate_tickets.py --rows 5000 --no-errors --output /tmp/tickets.csv
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

import pandas as pd

SEED = 20241122
DEFAULT_ROWS = 2000
FOLDER = Path(__file__).resolve().parent
DEFAULT_OUTPUT = FOLDER / "support_tickets.csv"
LABELS = ("billing", "technical", "account", "shipping")
CLASS_MIX = (0.3, 0.3, 0.2, 0.2)
# Production three months later: a holiday backlog of delivery problems, customers writing more.
DRIFT_MIX = (0.15, 0.2, 0.1, 0.55)
SECOND_TOPIC_RATE = 0.3
# Share of tickets where the customer adds a sentence or two of frustration that says nothing of the topic.
RAMBLE_RATE = 0.15
LABEL_NOISE_RATE = 0.03

OPENINGS = [
    "Hi,",
    "Hello team,",
    "Hi support,",
    "Good morning,",
    "Dear customer service,",
    "Hey,",
    "Hello,",
    "",
    "",
    "Urgent:",
]
CLOSINGS = [
    "Thanks.",
    "Thank you for your help.",
    "Please help.",
    "Regards, {name}",
    "Thanks in advance, {name}",
    "Can someone look into this today?",
    "This is the second time I write about this.",
    "",
    "",
    "Best, {name}",
]
NAMES = ["Anna", "Ben", "Carla", "Deepak", "Elif", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Kemi", "Lucia"]
PRODUCTS = ["order", "subscription", "plan", "purchase", "membership", "annual plan", "monthly plan"]
ITEMS = ["headphones", "the blender", "a phone case", "running shoes", "the desk lamp", "two books", "the jacket"]
DEVICES = ["iPhone", "Android phone", "laptop", "tablet", "Windows PC", "Mac"]
CONTEXT = [
    "My order number is {order}.",
    "Order {order}.",
    "I have been a customer for {years} years.",
    "I contacted you {days} days ago and heard nothing.",
    "My email is the one on the account.",
    "I tried the chat but nobody answered.",
    "",
    "",
    "",
]

COMPLAINTS = {
    "billing": [
        "I was charged twice for my {product} this month.",
        "There is a charge of {amount} on my card that I do not recognise.",
        "I cancelled my {product} but you still took {amount} from my account.",
        "My invoice shows the wrong amount, it should be {amount}.",
        "When will I get the refund for {item}? It has been {days} days.",
        "The discount code was not applied and I paid full price for my {product}.",
        "Please send me a corrected invoice with my company VAT number.",
        "I was billed {amount} after the free trial even though I cancelled it.",
        "Why did the price of my {product} go up without notice?",
        "My payment failed but the money left my bank account.",
        "I need a receipt for the {amount} payment for my expenses.",
        "You refunded {amount} instead of the full amount I paid.",
    ],
    "technical": [
        "The app crashes every time I open it on my {device}.",
        "I get error {code} when I try to check out.",
        "The website is extremely slow and pages do not load.",
        "The app does not sync between my {device} and my {device2}.",
        "After the last update the app shows a blank screen.",
        "Notifications stopped working on my {device}.",
        "I cannot upload a photo, it says error {code}.",
        "The search does not return any results even for items I bought before.",
        "The checkout button does nothing when I click it on my {device}.",
        "Videos in the app keep buffering and then freeze.",
        "The page says something went wrong, error {code}, when I open my orders.",
        "The app logs me out every few minutes on my {device}.",
    ],
    "account": [
        "I cannot log in, the password reset email never arrives.",
        "Please delete my account and all my personal data.",
        "My account was locked after too many login attempts.",
        "I want to change the email address on my account.",
        "Someone else changed my password, I think my account was hacked.",
        "How do I turn on two-factor authentication for my account?",
        "I have two accounts by mistake, can you merge them?",
        "The verification code you send by SMS is always expired.",
        "I want to update my name and phone number in my profile.",
        "My account says it is suspended but I did nothing wrong.",
        "I forgot my username and cannot recover my account.",
        "Please close my account, I no longer use the service.",
    ],
    "shipping": [
        "My {item} has not arrived and it is {days} days late.",
        "The tracking number for order {order} does not work.",
        "The parcel was delivered to the wrong address.",
        "The box arrived damaged and {item} is broken.",
        "Can I change the delivery address for order {order}?",
        "The courier says delivered but I never received {item}.",
        "I received the wrong item, I ordered {item}.",
        "Half of my order is missing from the package.",
        "Delivery was promised for Monday and it is still in the warehouse.",
        "How do I return {item}? I need a return label.",
        "The courier left the package outside in the rain.",
        "My parcel has been stuck in customs for {days} days.",
    ],
}
# A passing mention of another topic: shared vocabulary that makes the classes overlap.
ASIDES = {
    "billing": [
        "I paid for express delivery for this.",
        "I am still paying for my {product}.",
        "I was charged for it already.",
    ],
    "technical": [
        "The app also froze while I was trying to sort this out.",
        "I tried on my {device} as well.",
        "The website gave me an error when I tried to fix it myself.",
    ],
    "account": [
        "I am logged in to my account and everything else looks fine.",
        "I already reset my password in case that matters.",
        "I checked my profile settings.",
    ],
    "shipping": [
        "This is about order {order}, which has not even shipped yet.",
        "The delivery of my last order was late too.",
        "I also want to know where my parcel is.",
    ],
}
# Long, rambling additions seen in the drift sample: customers explaining more.
RAMBLES = [
    "I have tried everything I could think of, including asking a friend for help, but nothing worked.",
    "This is really frustrating because I depend on your service for work every single day.",
    "I have spent more than an hour on this already and read all the help pages twice.",
    "If this is not solved this week I will have to consider switching to another provider.",
    "Please do not send me the standard answer again, I need a real person to look at this.",
]
# Rows that prep must reject, one per rule, appended to the training file.
BROKEN_ROWS = [
    ("", "billing"),  # empty text
    ("   ", "technical"),  # whitespace only
    ("My parcel never arrived.", ""),  # missing label
    ("The app will not open on my phone.", "tech support"),  # unknown label
    ("Please refund me. " * 150, "billing"),  # longer than prep's character limit
    ("I cannot log in to my account.", "Account"),  # label in the wrong case
]


def fill(template: str, rng: random.Random) -> str:
    devices = rng.sample(DEVICES, 2)
    return template.format(
        product=rng.choice(PRODUCTS),
        item=rng.choice(ITEMS),
        device=devices[0],
        device2=devices[1],
        amount=f"{rng.choice(['EUR', '$', 'GBP '])}{rng.randint(5, 400)}.{rng.randint(0, 99):02d}",
        days=rng.randint(2, 30),
        years=rng.randint(1, 12),
        order=f"A{rng.randint(100000, 999999)}",
        code=rng.choice(["500", "403", "E1023", "0x80070005", "timeout", "404"]),
        name=rng.choice(NAMES),
    )


def ticket(label: str, rng: random.Random, rambles: int = 0) -> str:
    parts = [rng.choice(OPENINGS), rng.choice(CONTEXT), rng.choice(COMPLAINTS[label])]
    if rng.random() < SECOND_TOPIC_RATE:
        other = rng.choice([name for name in LABELS if name != label])
        parts.insert(rng.choice([1, 3]), rng.choice(ASIDES[other]))
    parts += rng.sample(RAMBLES, rambles)
    parts.append(rng.choice(CLOSINGS))
    text = " ".join(fill(part, rng) for part in parts if part)
    # Some customers write in lower case or shout.
    style = rng.random()
    if style < 0.1:
        text = text.lower()
    elif style < 0.13:
        text = text.upper()
    return text


def tickets(
    rows: int,
    seed: int = SEED,
    mix=CLASS_MIX,
    ramble_rate: float = RAMBLE_RATE,
    rambles=(1, 2),
    noise: float = LABEL_NOISE_RATE,
) -> pd.DataFrame:
    rng = random.Random(seed)
    labels = rng.choices(LABELS, weights=mix, k=rows)
    records = []
    for number, label in enumerate(labels, start=1):
        text = ticket(label, rng, rng.randint(*rambles) if rng.random() < ramble_rate else 0)
        if rng.random() < noise:
            label = rng.choice([name for name in LABELS if name != label])  # mislabelled by the agent
        records.append({"ticket_id": f"T{number:05d}", "text": text, "label": label})
    return pd.DataFrame.from_records(records)


def with_broken_rows(frame: pd.DataFrame) -> pd.DataFrame:
    start = len(frame) + 1
    broken = [{"ticket_id": f"T{start + i:05d}", "text": t, "label": lab} for i, (t, lab) in enumerate(BROKEN_ROWS)]
    return pd.concat([frame, pd.DataFrame.from_records(broken)], ignore_index=True)


def write_samples(folder: Path, seed: int = SEED) -> None:
    drift = tickets(400, seed + 1, mix=DRIFT_MIX, ramble_rate=0.8, rambles=(1, 3), noise=0.0)
    drift.drop(columns="label").to_csv(folder / "drift-sample.csv", index=False)

    batch = folder / "batch-sample"
    batch.mkdir(exist_ok=True)
    first = tickets(40, seed + 2, noise=0.0).drop(columns="label")
    # Two bad rows among good ones: scoring reports them and scores the rest.
    first.loc[5, "text"] = ""
    first.loc[17, "text"] = "Where is my parcel? " * 120
    first.to_csv(batch / "tickets-01.csv", index=False)
    second = tickets(25, seed + 3, noise=0.0)["text"]
    (batch / "tickets-02.txt").write_text("\n".join(second) + "\n", encoding="utf-8")
    # A file from another system: no "text" column, so scoring reports the file, not a crash.
    pd.DataFrame({"id": [1, 2], "message": ["My parcel is late.", "The app crashes."]}).to_csv(
        batch / "export-without-text-column.csv", index=False
    )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Generate synthetic support tickets (deterministic).")
    p.add_argument("--rows", type=int, default=DEFAULT_ROWS)
    p.add_argument("--seed", type=int, default=SEED)
    p.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    p.add_argument("--no-errors", action="store_true", help="leave out the deliberately broken rows")
    p.add_argument("--no-samples", action="store_true", help="do not rewrite the drift and batch samples")
    args = p.parse_args(argv)
    frame = tickets(args.rows, args.seed)
    if not args.no_errors:
        frame = with_broken_rows(frame)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(args.output, index=False)
    print(f"wrote {len(frame)} tickets to {args.output}: {frame['label'].value_counts().to_dict()}")
    if not args.no_samples and args.output == DEFAULT_OUTPUT:
        write_samples(FOLDER, args.seed)
        print(f"wrote the drift sample and batch sample to {FOLDER}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
