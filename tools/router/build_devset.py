#!/usr/bin/env python3
"""Builds the router's development set: data/router/devset.jsonl.

Each line is {"id", "category", "tier", "request"} -- the `flashfirst route --eval`
format. Sources: prompts written for this set (below; every category, the hard
cases of the routing rule, ~20% non-English), plus samples of public prompts from
../shared/data/public (MT-Bench, GSM8K, HumanEval, MMLU; licences in that folder),
labelled by hand-checked mapping rules. Deterministic: the same inputs give the
same file.

    python3 tools/router/build_devset.py PUBLIC_DIR > data/router/devset.jsonl
"""
import csv, gzip, json, os, random, sys

PRO = {"multi_step_reasoning", "codebase_debugging", "agent_tool_chaining", "long_coherent_output"}
out = []

def add(cat, messages, id=None, **extra):
    req = {"model": "auto", "messages": messages}
    req.update(extra)
    out.append({"id": id or f"{cat}-{sum(1 for o in out if o['category'] == cat) + 1}",
                "category": cat, "tier": "pro" if cat in PRO else "flash", "request": req})

def user(text, system=None, **extra):
    msgs = ([{"role": "system", "content": system}] if system else []) + [{"role": "user", "content": text}]
    return msgs

ARTICLE = ("The city council met on Tuesday to discuss the proposed expansion of the northern tram line. "
           "Supporters argued that the extension would cut commuting times by up to 20 minutes for residents of "
           "the new housing districts, while opponents raised concerns about the cost, estimated at 340 million "
           "euros, and about two years of construction noise. The transport department presented three route "
           "options; option B, which follows the existing ring road, was favoured by most members because it "
           "avoids demolishing the historic market hall. A final vote is scheduled for March. ") * 3

# ---------------------------------------------------------------- summarization
for t in [
    f"Summarize this article in three bullet points:\n\n{ARTICLE}",
    f"TL;DR please:\n{ARTICLE}",
    f"Can you give me the key takeaways from these meeting notes?\n\n{ARTICLE}",
    "Summarize the plot of Romeo and Juliet in two sentences.",
    f"{ARTICLE}\n\nCondense the above into one paragraph for a busy executive.",
    "Please summarise the following customer complaint for the support ticket title: I ordered a blender on the 3rd, it arrived with a cracked jug, I sent photos twice and nobody answered, and now the return window has closed.",
    f"Write a short summary (max 50 words) of this text:\n{ARTICLE}",
    "请总结以下内容的要点：市政府周二召开会议，讨论北部电车线路的扩建方案。支持者认为扩建可以将新住宅区居民的通勤时间缩短20分钟，反对者则担心3.4亿欧元的成本和两年的施工噪音。最终投票定于三月举行。",
    "以下の記事を3行で要約してください。市議会は火曜日に北部路面電車の延伸計画について議論した。支持者は通勤時間が最大20分短縮されると主張し、反対派は費用と工事の騒音を懸念した。",
    "Resume este texto en dos frases: El ayuntamiento se reunió el martes para debatir la ampliación de la línea de tranvía norte. Los partidarios dicen que reducirá el tiempo de viaje; los opositores temen el coste y el ruido de las obras.",
    "Fasse den folgenden Text kurz zusammen: Der Stadtrat diskutierte am Dienstag die Verlängerung der nördlichen Straßenbahnlinie. Befürworter erwarten kürzere Fahrzeiten, Gegner kritisieren die Kosten von 340 Millionen Euro.",
    "Fais un résumé de ce paragraphe : Le conseil municipal s'est réuni mardi pour discuter de l'extension de la ligne de tramway nord. Les partisans estiment que les trajets seront plus courts, les opposants s'inquiètent du coût.",
]:
    add("summarization", user(t))
add("summarization", user(f"Here is the transcript of our 2-hour planning call.\n\n{ARTICLE * 6}\n\nWhat were the main points and decisions?"))
add("summarization", user("Give me the gist of this email thread so I can reply quickly:\n\n" + ARTICLE), system="You are an assistant for a busy product manager.")

# ---------------------------------------------------------------- translation
for t in [
    "Translate into French: 'The meeting has been moved to Thursday at 3 pm. Please confirm your attendance.'",
    "Translate the following paragraph to German, keeping a formal tone:\n\nThank you for your order. Your package will ship within two business days.",
    "How do you say 'where is the nearest pharmacy?' in Japanese?",
    "Please translate this product description into Spanish: Lightweight waterproof jacket with adjustable hood and two zip pockets.",
    "What does 'Schadenfreude' mean in English?",
    "把下面这句话翻译成英文：我们下周一上午十点在会议室开会。",
    "次の文を英語に翻訳してください：明日の会議は午後二時に変更になりました。",
    "Traduce al inglés: 'El envío gratuito está disponible para pedidos superiores a 50 euros.'",
    "Übersetze ins Englische: 'Bitte schließen Sie die Tür, wenn Sie den Raum verlassen.'",
    "Traduis en anglais : « Le rendez-vous est confirmé pour lundi à 9 heures. »",
    "Translate these UI strings into Italian, return them as JSON with the same keys: {\"save\": \"Save\", \"cancel\": \"Cancel\", \"delete\": \"Delete forever\"}",
    "Render this legal clause in plain Chinese (Simplified): 'The Licensee shall not sublicense the Software without prior written consent.' Translate it.",
]:
    add("translation", user(t))

# ---------------------------------------------------------------- classification
for t in [
    "Classify the sentiment of this review as positive, negative or neutral: 'The battery lasts forever but the screen scratches easily.'",
    "Is this email spam or not spam? 'Congratulations! You have won a $1000 gift card. Click here to claim now.'",
    "Categorize each of these support tickets into one of: billing, technical, account, other.\n1. I was charged twice this month.\n2. The app crashes when I upload a photo.\n3. How do I change my username?",
    "Which category does this news headline belong to: politics, sports, business, technology? 'Chipmaker shares jump 12% after record quarterly revenue'",
    "Label the intent of this user message (book_flight, cancel_booking, ask_baggage, other): 'can I bring my guitar on the plane?'",
    "Tag each sentence as fact or opinion:\n- Paris is the capital of France.\n- Paris is the most beautiful city in the world.",
    "Is the following tweet toxic? Answer yes or no. 'You clearly have no idea what you're talking about.'",
    "请判断以下评论的情感是正面还是负面：这家餐厅的服务太差了，等了一个小时才上菜。",
    "次のレビューをポジティブかネガティブに分類してください：「配送が早くて、品質も期待以上でした。」",
    "Clasifica este comentario como positivo o negativo: 'El producto llegó roto y nadie responde.'",
    "Klassifiziere die folgende Nachricht als Beschwerde, Frage oder Lob: 'Warum dauert die Lieferung so lange?'",
    "Classez ce message dans une catégorie : facturation, technique ou autre. « Ma facture de mars est incorrecte. »",
]:
    add("classification", user(t))
add("classification", user("Review: 'Terrible fit, returned it.'"), system="You are a sentiment classifier. Reply with exactly one label: positive, negative, neutral.")
add("classification", user("{\"text\": \"The package arrived two weeks late and damaged\"}"), system="Classify customer feedback into categories shipping, quality, price, service. Respond with JSON {\"category\": ...}.", response_format={"type": "json_object"})

# ---------------------------------------------------------------- straightforward Q&A
for t in [
    "What is the capital of Australia?",
    "Explain the difference between TCP and UDP.",
    "Who wrote 'One Hundred Years of Solitude'?",
    "How does a heat pump work?",
    "What's a good way to remove a red wine stain from a cotton shirt?",
    "Why is the sky blue? Explain it step by step.",
    "What year did the Berlin Wall fall?",
    "Can you explain what a Roth IRA is and who it's good for?",
    "Let's think step by step. What is 15% of 80?",
    "Is it safe to eat raw cookie dough?",
    "What are the main symptoms of vitamin D deficiency?",
    "What is the boiling point of water at the top of Mount Everest, roughly?",
    "什么是区块链？请简单解释。",
    "日本の首都はどこですか？",
    "¿Qué es la fotosíntesis?",
    "Was ist der Unterschied zwischen Wetter und Klima?",
    "Qu'est-ce que l'inflation ?",
    "How many days are there in a leap year?",
]:
    add("straightforward_qa", user(t))
add("straightforward_qa", user("What is 17 * 23?"), max_tokens=32000)
add("straightforward_qa", user("Give me three tips for sleeping better."), max_tokens=16000)

# ---------------------------------------------------------------- RAG
PASSAGES = [
    "The Model X200 battery is rated for 1,200 charge cycles and retains 80% capacity after that.",
    "Warranty claims must be filed within 24 months of purchase with the original receipt.",
    "The X200 supports fast charging at 65 W with the bundled adapter.",
    "Firmware 3.2 added support for the Spanish and Portuguese voice assistants.",
    "The device is water resistant to IP67: 1 metre for 30 minutes.",
    "Replacement batteries can be ordered from authorised service centres only.",
    "The X200 weighs 1.4 kg and measures 32 x 21 x 1.6 cm.",
    "Customer support is open Monday to Friday, 8:00-18:00 CET.",
    "The X200 ships with a USB-C to USB-C cable, 1.5 m long.",
    "Refurbished units carry a 12-month warranty instead of 24 months.",
]
def docs(n, fmt="Document {i}: {p}"):
    return "\n".join(fmt.format(i=i + 1, p=PASSAGES[i % len(PASSAGES)]) for i in range(n))
add("rag", user(f"{docs(5)}\n\nBased on the documents above, how long is the warranty for a refurbished unit?"))
add("rag", user(f"Answer using only the context below. If the answer is not there, say so.\n\nContext:\n{docs(8, '[{i}] {p}')}\n\nQuestion: How fast can the X200 charge?"))
add("rag", user(f"Question: what is the water resistance rating?\n\n{docs(20, 'Passage {i}: {p}')}"), id="rag-20-passages")
add("rag", [{"role": "system", "content": "You are a support assistant. Answer the user's question from the retrieved passages and cite them as [n].\n\n" + docs(12, "[{i}] {p}")},
            {"role": "user", "content": "When is support open?"}])
add("rag", user(f"根据以下文档回答问题：\n{docs(4, '文档{i}：{p}')}\n\n问题：X200 有多重？"))
add("rag", user(f"以下の資料に基づいて答えてください。\n{docs(4, '資料{i}: {p}')}\n\n質問：保証期間は何ヶ月ですか？"))
add("rag", user(f"Según los documentos siguientes, ¿cuánto pesa el X200?\n{docs(5, 'Documento {i}: {p}')}"))
add("rag", user(f"Beantworte die Frage anhand der folgenden Dokumente.\n{docs(5, 'Dokument {i}: {p}')}\nFrage: Wie lange ist das Kabel?"))
add("rag", user(f"En vous basant sur les documents suivants, répondez : quelles langues ont été ajoutées par le firmware 3.2 ?\n{docs(6, 'Document {i} : {p}')}"))
add("rag", user(f"<documents>\n" + "\n".join(f"<document index=\"{i}\">{p}</document>" for i, p in enumerate(PASSAGES)) + "\n</documents>\n\nWhich document mentions the cable length, and what is it?"))
add("rag", user(f"Context: {' '.join(PASSAGES)}\n\nAccording to the context, where can I order a replacement battery?"))
add("rag", user(f"Here are search results:\n{docs(10, '[{i}] {p}')}\n\nUsing these results, step by step, tell me the dimensions of the X200."))

# ---------------------------------------------------------------- structured content
for t in [
    "Write a polite email to my landlord asking to fix the heating, which has been broken for a week.",
    "Draft a cover letter for a junior data analyst position at a retail company.",
    "Create an outline for a blog post about remote work productivity, with 5 sections.",
    "Write a product description for a stainless steel insulated water bottle, 500 ml, keeps drinks cold for 24 hours.",
    "Extract the name, date and amount from this invoice text as JSON: 'Invoice #2231 issued to Maria Lopez on 2026-03-14 for 1,250.00 EUR.'",
    "Write a job description for a senior backend engineer (Go, Kubernetes), remote in Europe.",
    "Compose a short LinkedIn post announcing our new office in Lisbon.",
    "Create a meeting agenda for a 30-minute weekly sync of a 6-person marketing team.",
    "Write release notes for version 2.4 of our mobile app: dark mode, faster startup, bug fixes in sync.",
    "Rewrite this paragraph to sound more professional: 'hey guys, the server thing broke again so we're gonna be late with stuff'.",
    "Write a haiku about autumn rain.",
    "Turn these notes into a FAQ with 4 questions: returns within 30 days, free shipping over 50 EUR, support by chat only.",
    "请帮我写一封邮件，邀请客户参加下个月的产品发布会。",
    "新商品のワイヤレスイヤホンの商品説明を書いてください。",
    "Redacta un correo para solicitar una reunión con el equipo de ventas la próxima semana.",
    "Verfasse eine kurze Produktbeschreibung für einen ergonomischen Bürostuhl.",
    "Rédige un courriel pour annoncer le déménagement de nos bureaux le 1er juin.",
]:
    add("structured_content", user(t))
add("structured_content", user("Parse this address into street, city, postcode and country: 'Calle Mayor 5, 28013 Madrid, Spain'"), response_format={"type": "json_object"})
add("structured_content", user("Write a 300-word blog post about the benefits of cycling to work."))

# ---------------------------------------------------------------- moderate coding
SNIPPET = "def average(xs):\n    total = 0\n    for x in xs:\n        total += x\n    return total / len(xs)\n"
for t in [
    "Write a Python function that checks whether a string is a palindrome, ignoring case and punctuation.",
    "Write a SQL query that returns the top 5 customers by total order value from tables customers(id, name) and orders(id, customer_id, amount).",
    "Give me a regex that matches valid IPv4 addresses.",
    f"This function crashes on an empty list. Fix the bug:\n```python\n{SNIPPET}```",
    f"Add docstrings and comments to this code:\n```python\n{SNIPPET}```",
    "Explain what this JavaScript does:\n```js\nconst uniq = arr => [...new Set(arr)];\n```",
    "Write a bash script that deletes log files older than 7 days in /var/log/myapp.",
    "How do I reverse a linked list in Java? Show the code.",
    "Implement binary search in Go.",
    "Write unit tests with pytest for a function add(a, b) that adds two numbers.",
    "Debug this: my Python loop prints the same number every time.\n```python\nfuncs = [lambda: i for i in range(3)]\nprint([f() for f in funcs])\n```",
    "Convert this Python 2 code to Python 3:\n```python\nprint 'hello'\nd = {}\nif d.has_key('a'):\n    print d['a']\n```",
    "写一个 Python 函数，计算列表中所有偶数的和。",
    "配列から重複を取り除くJavaScriptの関数を書いてください。",
    "Escribe una función en Python que cuente las vocales de una cadena.",
    "Schreibe eine Funktion in TypeScript, die prüft, ob eine Zahl eine Primzahl ist.",
    "Écris une fonction Python qui inverse les mots d'une phrase.",
    "Why does this SQL give an error? SELECT name, COUNT(*) FROM users; -- error: column name must appear in GROUP BY",
]:
    add("coding_moderate", user(t))
add("coding_moderate", user("Write a function to merge two sorted arrays."), max_tokens=64000)

# ---------------------------------------------------------------- multi-step reasoning
for t in [
    "How many ways can you tile a 2x10 board with 1x2 dominoes?",
    "Prove that the square root of 2 is irrational.",
    "Find all positive integers n such that n^2 + 1 is divisible by n + 1.",
    "What is the probability that three points chosen uniformly at random on a circle form an acute triangle?",
    "On an island, knights always tell the truth and knaves always lie. A says 'B is a knave.' B says 'A and I are of the same kind.' What are A and B?",
    "Five friends (Ann, Ben, Cal, Dee, Eve) sit in a row. Ann is not at either end, Ben sits immediately right of Cal, Dee is not next to Eve, and Eve is at an end. List all valid seatings.",
    "Schedule 6 exams into 3 time slots so that no student has two exams at the same time, given these conflicts: A-B, A-C, B-D, C-E, D-F, E-F. Is it possible? Show a schedule or prove it is impossible.",
    "What is the remainder when 7^2026 is divided by 13?",
    "How many subsets of {1,...,12} contain no two consecutive integers?",
    "A company has revenue growing at 18% a year and costs at 11%, starting from revenue 40M and costs 52M. In which year does it break even, and what is the NPV of the first 10 years' profits at an 8% discount rate?",
    "Show that every tree with n vertices has exactly n-1 edges.",
    "A bag has 5 red and 7 blue balls. Three are drawn without replacement. What is the expected number of red balls, and the probability that at least two are blue?",
    "Plan a 5-day trip through 4 cities with these constraints: the budget is 1,500 EUR, trains only, no travel on day 3, Vienna must come before Prague, and each city needs at least one night. Find an optimal plan that minimizes the total travel time.",
    "证明：任意六个人中，一定有三个人互相认识或者互相不认识。",
    "1から100までの整数のうち、3でも5でも割り切れない正の整数は何個ありますか？途中の考え方も示してください。",
    "¿De cuántas formas se pueden ordenar las letras de la palabra BANANA?",
    "Beweise, dass es unendlich viele Primzahlen gibt.",
    "Combien de façons y a-t-il de répartir 10 bonbons identiques entre 4 enfants si chaque enfant en reçoit au moins un ?",
    "Three boxes are labelled 'apples', 'oranges' and 'mixed', and every label is wrong. You may draw one fruit from one box. Which box do you draw from, and how do you relabel all three? Explain the reasoning.",
    "Let a, b, c be positive real numbers with a + b + c = 3. Find the minimum value of 1/a + 1/b + 1/c and prove it.",
]:
    add("multi_step_reasoning", user(t))

# ---------------------------------------------------------------- codebase debugging
TRACE = '''Traceback (most recent call last):
  File "app/main.py", line 88, in handle
    order = service.place(cart)
  File "app/services/orders.py", line 142, in place
    self.inventory.reserve(item.sku, item.qty)
  File "app/services/inventory.py", line 57, in reserve
    row = self.repo.lock_row(sku)
  File "app/db/repository.py", line 31, in lock_row
    raise StaleDataError(sku)
app.db.errors.StaleDataError: SKU-1182'''
JTRACE = '''Exception in thread "worker-3" java.lang.NullPointerException
    at com.shop.billing.InvoiceService.total(InvoiceService.java:212)
    at com.shop.billing.InvoiceService.close(InvoiceService.java:98)
    at com.shop.jobs.MonthEndJob.run(MonthEndJob.java:45)
    at java.base/java.util.concurrent.ThreadPoolExecutor.runWorker(ThreadPoolExecutor.java:1136)'''
add("codebase_debugging", user(f"Our checkout fails intermittently under load with this error. Here are the relevant files.\n\n{TRACE}\n\n```python\n# app/services/inventory.py\nclass Inventory:\n    def reserve(self, sku, qty):\n        row = self.repo.lock_row(sku)\n        row.qty -= qty\n        self.repo.save(row)\n```\n\n```python\n# app/db/repository.py\ndef lock_row(self, sku):\n    row = self.session.get(Item, sku)\n    if row.version != self.cache[sku].version:\n        raise StaleDataError(sku)\n    return row\n```\nWhat is the root cause and how do we fix it?"))
add("codebase_debugging", user(f"The month-end job crashes about once a week. Stack trace:\n{JTRACE}\n\nInvoiceService.java, MonthEndJob.java and CustomerRepository.java are attached below. Why is this happening only sometimes?\n\n```java\n// InvoiceService.java\npublic BigDecimal total(Invoice inv) {{ return inv.getCustomer().getDiscount().apply(inv.sum()); }}\n```\n```java\n// CustomerRepository.java\npublic Customer find(long id) {{ return cache.computeIfAbsent(id, this::load); }}\n```"))
add("codebase_debugging", user("We have a deadlock between our payment service and the ledger service when two refunds for the same account arrive at once. payment/refund.go locks the account then calls ledger.Post; ledger/post.go locks the journal then calls payment.Balance. Here is the goroutine dump:\n\ngoroutine 41 [semacquire]:\npayment.(*Service).Refund(...)\n\tpayment/refund.go:77\ngoroutine 58 [semacquire]:\nledger.(*Journal).Post(...)\n\tledger/post.go:120\n\nHow should we restructure the locking?"))
add("codebase_debugging", user("After upgrading React from 17 to 18, our dashboard renders twice and the websocket subscription in src/hooks/useFeed.ts opens two connections. The store is in src/store/feed.ts and the provider in src/App.tsx. Messages are sometimes duplicated in the list. Where is the bug across these modules?"))
add("codebase_debugging", user("There's a race condition in our cache layer: cache/lru.cc evicts an entry while server/handler.cc still holds a raw pointer to it, and we see a segfault in production roughly once a day.\n\n#0 0x5581 in Handler::respond(Entry*) server/handler.cc:214\n#1 0x5590 in Server::loop() server/server.cc:88\n#2 0x55a0 in main main.cc:12\n\nHow do we fix the ownership model?"))
add("codebase_debugging", user("Memory usage of our Node service grows by 200 MB an hour. Heap snapshots point at closures retained from src/events/bus.js, src/routes/stream.js and src/lib/retry.js. Walk me through how to find and fix the leak across these files."))
add("codebase_debugging", user(f"{TRACE}\n\nThis started after we split the monolith into services; orders.py, inventory.py and repository.py are owned by different teams. The error never happens in tests. Find the cause."))
add("codebase_debugging", user("我们的订单服务偶发死锁，涉及 order/service.py、stock/manager.py 和 db/session.py 三个文件。日志显示两个线程分别持有库存锁和订单锁。请分析根本原因并给出修复方案。"))
add("codebase_debugging", user("本番環境で断続的にデッドロックが発生します。api/handler.go、worker/queue.go、store/db.go の3つのファイルが関係しています。原因を特定してください。"))
add("codebase_debugging", user("Tenemos una condición de carrera entre src/cart.js, src/checkout.js y src/payment.js: a veces se cobra dos veces al cliente. ¿Cuál es la causa raíz?"))
add("codebase_debugging", user("Unser Test schlägt sporadisch fehl, seit wir auf Python 3.12 aktualisiert haben. Betroffen sind tests/test_sync.py, sync/worker.py und sync/state.py. Der Fehler tritt nur im CI unter Last auf. Finde die Ursache."))
add("codebase_debugging", user("Notre application plante de façon intermittente avec une erreur de segmentation depuis la migration. Les fichiers concernés sont core/buffer.c, net/socket.c et main.c. Trouvez la cause racine."))

# ---------------------------------------------------------------- agent tool chaining
def fn(name, desc, props):
    return {"type": "function", "function": {"name": name, "description": desc,
            "parameters": {"type": "object", "properties": {p: {"type": "string"} for p in props}, "required": props}}}
TOOLS = [fn("search_flights", "Search flights", ["origin", "destination", "date"]),
         fn("book_flight", "Book a flight", ["flight_id"]),
         fn("get_weather", "Weather forecast", ["city", "date"]),
         fn("send_email", "Send an email", ["to", "subject", "body"])]
def call(id, name, args):
    return {"id": id, "type": "function", "function": {"name": name, "arguments": json.dumps(args)}}
add("agent_tool_chaining", [
    {"role": "user", "content": "Find me the cheapest flight from Berlin to Lisbon on May 3, book it, and email the confirmation to anna@example.com."},
    {"role": "assistant", "content": None, "tool_calls": [call("c1", "search_flights", {"origin": "BER", "destination": "LIS", "date": "2026-05-03"})]},
    {"role": "tool", "tool_call_id": "c1", "content": json.dumps([{"id": "TP531", "price": 89}, {"id": "FR212", "price": 74}])},
], tools=TOOLS)
add("agent_tool_chaining", [
    {"role": "user", "content": "Check the weather in Lisbon on May 3 and if it's sunny book flight FR212, then tell Anna."},
    {"role": "assistant", "content": None, "tool_calls": [call("c1", "get_weather", {"city": "Lisbon", "date": "2026-05-03"})]},
    {"role": "tool", "tool_call_id": "c1", "content": "{\"forecast\": \"sunny\", \"high\": 24}"},
    {"role": "assistant", "content": None, "tool_calls": [call("c2", "book_flight", {"flight_id": "FR212"})]},
    {"role": "tool", "tool_call_id": "c2", "content": "{\"status\": \"booked\", \"pnr\": \"X7K2LQ\"}"},
], tools=TOOLS)
add("agent_tool_chaining", user("Search flights from Paris to Rome for June 10 and June 12, compare the prices, book the cheaper one and then send the itinerary to my boss."), tools=TOOLS)
add("agent_tool_chaining", user("For each of Madrid, Porto and Seville, get the weather on July 1, then book a flight from London to the sunniest one and email me the booking."), tools=TOOLS)
REPO_TOOLS = [fn("list_files", "List files", ["path"]), fn("read_file", "Read a file", ["path"]),
              fn("run_tests", "Run the test suite", ["target"]), fn("write_file", "Write a file", ["path", "content"])]
add("agent_tool_chaining", [
    {"role": "system", "content": "You are a coding agent. Use the tools to inspect and modify the repository."},
    {"role": "user", "content": "The tests in tests/test_parser.py fail. Find out why and fix it."},
    {"role": "assistant", "content": "", "tool_calls": [call("t1", "run_tests", {"target": "tests/test_parser.py"})]},
    {"role": "tool", "tool_call_id": "t1", "content": "FAILED test_parse_dates - AssertionError: expected 2026-01-02"},
    {"role": "assistant", "content": "", "tool_calls": [call("t2", "read_file", {"path": "parser/dates.py"})]},
    {"role": "tool", "tool_call_id": "t2", "content": "def parse(s):\n    return datetime.strptime(s, '%d-%m-%Y')"},
], tools=REPO_TOOLS)
add("agent_tool_chaining", user("Go through every file under src/, read each one, find functions without tests, and then write test files for them and run the test suite."), tools=REPO_TOOLS)
CRM = [fn("find_customer", "Find a customer", ["email"]), fn("list_orders", "List orders", ["customer_id"]),
       fn("refund_order", "Refund an order", ["order_id"]), fn("send_email", "Send an email", ["to", "subject", "body"])]
add("agent_tool_chaining", [
    {"role": "user", "content": "Refund all of jo@example.com's orders from last week that were delivered late, then email her a summary."},
    {"role": "assistant", "content": None, "tool_calls": [call("a", "find_customer", {"email": "jo@example.com"})]},
    {"role": "tool", "tool_call_id": "a", "content": "{\"id\": \"C-77\"}"},
], tools=CRM)
add("agent_tool_chaining", user("查一下客户 jo@example.com 的所有订单，然后把上周延迟送达的订单全部退款，最后给她发一封邮件说明情况。"), tools=CRM)
add("agent_tool_chaining", user("顧客 jo@example.com の注文を調べて、遅延した注文をすべて返金し、その後メールで連絡してください。"), tools=CRM)
add("agent_tool_chaining", user("Busca los pedidos del cliente jo@example.com, luego reembolsa los que llegaron tarde y después envíale un correo."), tools=CRM)
add("agent_tool_chaining", [
    {"role": "user", "content": "Wie wird das Wetter morgen in Berlin und in Hamburg? Buche danach einen Flug in die wärmere Stadt."},
    {"role": "assistant", "content": None, "tool_calls": [call("w1", "get_weather", {"city": "Berlin", "date": "tomorrow"}), call("w2", "get_weather", {"city": "Hamburg", "date": "tomorrow"})]},
    {"role": "tool", "tool_call_id": "w1", "content": "{\"high\": 21}"}, {"role": "tool", "tool_call_id": "w2", "content": "{\"high\": 17}"},
], tools=TOOLS)
add("agent_tool_chaining", [
    {"role": "user", "content": "Cherche le client jo@example.com puis liste ses commandes et rembourse la dernière."},
    {"role": "assistant", "content": None, "tool_calls": [call("f1", "find_customer", {"email": "jo@example.com"})]},
    {"role": "tool", "tool_call_id": "f1", "content": "{\"id\": \"C-77\"}"},
    {"role": "assistant", "content": None, "tool_calls": [call("f2", "list_orders", {"customer_id": "C-77"})]},
    {"role": "tool", "tool_call_id": "f2", "content": "[{\"id\": \"O-1\"}, {\"id\": \"O-2\"}]"},
], tools=CRM)
# A single trivial tool call is Flash work: the category of the question decides.
add("straightforward_qa", user("What's the weather in Lisbon tomorrow?"), tools=TOOLS, id="qa-single-tool-weather")
add("straightforward_qa", user("Look up the customer with email jo@example.com."), tools=CRM, id="qa-single-tool-lookup")

# ---------------------------------------------------------------- long coherent output
for t in [
    "Write a 15,000-word novella about a lighthouse keeper who discovers a message in a bottle, in 8 chapters with a consistent cast and timeline.",
    "Write a complete technical design document (about 12,000 words) for a multi-region payments platform: architecture, data model, failure modes, migration plan and runbooks.",
    "Write the first five chapters of a fantasy novel, around 3,000 words each, keeping characters and world rules consistent.",
    "Produce a comprehensive report of at least 40 pages on the state of the European battery industry, with consistent figures across sections.",
    "Write a full-length screenplay for a 90-minute thriller set in a data centre.",
    "写一部两万字的科幻小说，分为十个章节，人物和情节要前后一致。",
    "一万五千字程度の長編小説を書いてください。章立ては6章で、登場人物の設定を最後まで一貫させてください。",
    "Escribe una novela corta de 12.000 palabras sobre una familia de pescadores en Galicia, en diez capítulos.",
    "Schreibe einen Roman mit 10 Kapiteln und insgesamt etwa 20.000 Wörtern über eine Familie im Berlin der 1920er Jahre.",
    "Écris un roman de 15 000 mots en 12 chapitres sur un voyage en Patagonie.",
    "Write a 60-page textbook chapter sequence introducing linear algebra, each chapter building on the previous one.",
    "Draft a 10,000-word whitepaper on zero-trust networking for financial institutions.",
]:
    add("long_coherent_output", user(t))
# Large max_tokens on a short task is Flash.
add("structured_content", user("Write a two-sentence bio for a conference speaker who is a data engineer."), max_tokens=100000, id="sc-large-max-tokens")

# ---------------------------------------------------------------- public prompts
pub = sys.argv[1] if len(sys.argv) > 1 else "../shared/data/public"
rng = random.Random(2026)
MT = {"writing": "structured_content", "coding": "coding_moderate", "extraction": "structured_content",
      "stem": "straightforward_qa", "humanities": "straightforward_qa"}
for line in open(os.path.join(pub, "routellm/mt_bench_question.jsonl")):
    q = json.loads(line)
    if q["category"] in MT:
        add(MT[q["category"]], user(q["turns"][0]), id=f"mtbench-{q['question_id']}")
gsm = [json.loads(l) for l in open(os.path.join(pub, "gsm8k/test.jsonl"))]
for i, q in enumerate(rng.sample(gsm, 20)):
    text = q["question"] + (" Let's think step by step." if i % 2 else "")
    add("straightforward_qa", user(text), id=f"gsm8k-{i + 1}")
with gzip.open(os.path.join(pub, "humaneval/HumanEval.jsonl.gz"), "rt") as f:
    he = [json.loads(l) for l in f]
for q in rng.sample(he, 15):
    add("coding_moderate", user("Complete this Python function:\n\n```python\n" + q["prompt"] + "```"), id=q["task_id"].replace("/", "-"))
for subject in ["high_school_geography", "nutrition", "marketing", "world_religions", "computer_security"]:
    rows = list(csv.reader(open(os.path.join(pub, f"routellm/mmlu/mmlu_{subject}.csv"))))[1:]
    for i, r in enumerate(rng.sample(rows, 3)):
        add("straightforward_qa", user(r[0]), id=f"mmlu-{subject}-{i + 1}")

for o in out:
    print(json.dumps(o, ensure_ascii=False))
