#!/usr/bin/env python3
"""Builds the demo's bundled workload, data/demo/workload.jsonl, from the router's
development set: every task category, a share of streams, JSON mode, agent tool
loops, and a long system prompt that many requests repeat (so the simulator's
prefix cache has something to hit). Deterministic.

    python3 tools/demo/build_workload.py data/router/devset.jsonl > data/demo/workload.jsonl

Each line: {"id", "request": {...}, "stream": bool, "loop": bool}. A "loop" line is
an agent turn: the demo sends it, answers the tool call it gets back and sends the
conversation again the way many clients do -- without reasoning_content.
"""
import json, random, sys

rng = random.Random(7)
dev = [json.loads(l) for l in open(sys.argv[1] if len(sys.argv) > 1 else "data/router/devset.jsonl")]
by_cat = {}
for d in dev:
    by_cat.setdefault(d["category"], []).append(d)

SYSTEM = ("You are the assistant of Northwind Outfitters, an outdoor-equipment retailer. "
          "Answer accurately and briefly, in the customer's language. Never invent order data. "
          "Company facts: founded 2009 in Bergen; 42 stores in Norway, Sweden and Denmark; "
          "returns within 60 days with a receipt; free shipping over 500 NOK; support hours 08:00-20:00 CET. "
          "Product lines: tents, sleeping bags, rain gear, hiking boots, climbing hardware, kayaks. ") * 12

out = []
for cat in sorted(by_cat):
    items = by_cat[cat]
    rng.shuffle(items)
    for d in items[:11]:
        req = json.loads(json.dumps(d["request"]))
        req["model"] = "auto"
        # Recorded tool histories carry the reasoning the API sent with each call, as a
        # well-behaved client sends it back (the gateway can only restore what it saw).
        for m in req["messages"]:
            if m["role"] == "assistant" and m.get("tool_calls") and "reasoning_content" not in m:
                m["reasoning_content"] = "I need the tool's result before I can answer."
        # The support assistant's system prompt on a good share of the traffic.
        if rng.random() < 0.45 and cat not in ("agent_tool_chaining",):
            req["messages"] = [{"role": "system", "content": SYSTEM}] + [m for m in req["messages"] if m["role"] != "system"]
        out.append({"id": d["id"], "request": req, "stream": rng.random() < 0.25, "loop": False})

TOOLS = [{"type": "function", "function": {"name": n, "description": desc, "parameters": {
    "type": "object", "properties": {p: {"type": "string"} for p in props}, "required": props}}}
    for n, desc, props in [("lookup_order", "Find an order", ["order_id"]),
                           ("check_stock", "Stock of a product in a store", ["sku", "store"]),
                           ("send_email", "Email a customer", ["to", "subject", "body"])]]
for i, q in enumerate(["Where is order 4471, and is the tent in it in stock in Bergen? Then email the customer.",
                       "Look up order 9102, check whether the kayak is in stock in Oslo, then email Ana.",
                       "Check stock of boots SKU-22 in Malmo and Aarhus, then email the store managers.",
                       "Find order 5530, then check stock of its sleeping bag in Stockholm and email the buyer.",
                       "Look up order 1208 and email the customer an update after checking stock in Bergen.",
                       "For order 7781, check every item's stock in Copenhagen and then email the customer."]):
    out.append({"id": f"loop-{i + 1}", "request": {"model": "auto", "tools": TOOLS,
                "messages": [{"role": "system", "content": SYSTEM}, {"role": "user", "content": q}]},
                "stream": False, "loop": True})
rng.shuffle(out)
for o in out:
    print(json.dumps(o, ensure_ascii=False))
