// The official `openai` npm client's Responses API (`client.responses.create`,
// streamed and not, and the `client.responses.stream` helper) against
// `flashfirst serve --upstream sim` and against `flashfirst sim` directly: only
// the base URL changes. Routing, cost headers, the figures on the last event, a
// function tool loop, and the stateless API's refusals.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import OpenAI from "openai";
import { startGateway } from "./gateway_process.mjs";
import { startSim } from "./sim_process.mjs";

let gw, sim;
let client, direct;

before(async () => {
  gw = await startGateway("ff-team-key");
  client = new OpenAI({ apiKey: "ff-team-key", baseURL: `${gw.url}/v1`, maxRetries: 0 });
  sim = await startSim("sk-sim");
  direct = new OpenAI({ apiKey: "sk-sim", baseURL: sim.url, maxRetries: 0 });
});

after(() => {
  gw?.stop();
  sim?.stop();
});

// The text of a Response's message items, as output_text gathers it.
const textOf = (r) =>
  r.output.filter((i) => i.type === "message").flatMap((i) => i.content).map((c) => c.text ?? "").join("");

test("responses.create: a translation goes to Flash, costed below Pro", async () => {
  const { data, response } = await client.responses
    .create({ model: "auto", instructions: "Be brief.", input: "Translate into German: thank you, my friend" })
    .withResponse();
  assert.equal(data.object, "response");
  assert.equal(data.status, "completed");
  assert.equal(data.model, "deepseek-v4-flash");
  assert.ok(data.output_text.length > 0);
  assert.equal(data.output_text, textOf(data));
  assert.equal(response.headers.get("x-flashfirst-model"), "deepseek-v4-flash");
  assert.match(response.headers.get("x-flashfirst-route"), /^translation; /);
  assert.match(response.headers.get("x-flashfirst-request-id"), /^ff-[0-9a-f]{8}-\d{6}$/);
  assert.ok(data.usage.input_tokens > 0 && data.usage.output_tokens > 0);
  assert.ok(Number(response.headers.get("x-flashfirst-cost")) > 0);
  assert.ok(Number(response.headers.get("x-flashfirst-cost")) < Number(response.headers.get("x-flashfirst-cost-if-pro")));
});

test("responses.create: a proof goes to Pro", async () => {
  const { data, response } = await client.responses
    .create({ model: "auto", input: [{ role: "user", content: "Prove that there are infinitely many primes." }] })
    .withResponse();
  assert.equal(data.model, "deepseek-v4-pro");
  assert.match(response.headers.get("x-flashfirst-route"), /^multi_step_reasoning; /);
  assert.equal(response.headers.get("x-flashfirst-cost-if-pro"), response.headers.get("x-flashfirst-cost"));
});

test("a stream: the deltas add up to the text, and the last event carries usage and the cost", async () => {
  const stream = await client.responses.create({
    model: "flash", stream: true, input: "Summarize: sales rose 4% while costs fell 2%.",
  });
  let text = "", last, sequence = -1;
  const types = [];
  for await (const event of stream) {
    assert.equal(event.sequence_number, sequence + 1);
    sequence = event.sequence_number;
    types.push(event.type);
    if (event.type === "response.output_text.delta") text += event.delta;
    last = event;
  }
  assert.equal(types[0], "response.created");
  assert.equal(last.type, "response.completed");
  assert.ok(text.length > 0);
  assert.equal(text, textOf(last.response));
  assert.ok(last.response.usage.output_tokens > 0);
  assert.equal(last.flashfirst.model, "deepseek-v4-flash");
  assert.match(last.flashfirst.cost, /^\d+\.\d+$/);
  assert.ok(Number(last.flashfirst.cost) < Number(last.flashfirst.cost_if_pro));
});

test("the responses.stream helper accumulates the events into the final response", async () => {
  const stream = client.responses.stream({ model: "auto", input: "Translate into French: good morning" });
  let deltas = "";
  stream.on("response.output_text.delta", (e) => { deltas += e.delta; });
  const final = await stream.finalResponse();
  assert.equal(final.status, "completed");
  // (finalResponse() adds no output_text for a request without a parsed format.)
  assert.ok(deltas.length > 0);
  assert.equal(textOf(final), deltas);
});

test("a function tool loop: the call, its output, then the answer", async () => {
  const tools = [{ type: "function", name: "get_weather",
    parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } }];
  const input = [{ role: "user", content: "What's the weather in Oslo?" }];
  // tool_choice "required" needs thinking off (thinking mode answers it with a 400).
  const first = await client.responses.create({
    model: "flash", input, tools, tool_choice: "required", reasoning: { effort: "none" },
  });
  const call = first.output.find((i) => i.type === "function_call");
  assert.ok(call, JSON.stringify(first.output));
  assert.equal(call.name, "get_weather");
  assert.equal(typeof JSON.parse(call.arguments).city, "string");
  // Stateless: the whole conversation goes back, the output items included.
  const second = await client.responses.create({
    model: "flash", tools, tool_choice: "none", reasoning: { effort: "none" },
    input: [...input, ...first.output, { type: "function_call_output", call_id: call.call_id, output: "sunny, 24C" }],
  });
  assert.equal(second.status, "completed");
  assert.ok(second.output_text.length > 0);
});

test("previous_response_id is refused: the API keeps no state", async () => {
  await assert.rejects(
    client.responses.create({ model: "auto", input: "and then?", previous_response_id: "resp_123" }),
    (e) => e instanceof OpenAI.BadRequestError && /stateless/.test(e.message));
});

test("the simulator serves the Responses API itself, JSON and streamed", async () => {
  const r = await direct.responses.create({ model: "deepseek-flash", instructions: "Be brief.", input: "Hi!" });
  assert.equal(r.model, "deepseek-flash");
  assert.equal(r.output[0].type, "reasoning");  // thinking is on by default
  assert.equal(r.usage.output_tokens_details.reasoning_tokens > 0, true);
  // (The SDK's responses.stream helper keeps a snapshot only from response.completed,
  // so an incomplete answer is read from the raw events.)
  const stream = await direct.responses.create({
    model: "deepseek-v4-pro", input: "Hi!", max_output_tokens: 5, stream: true,
  });
  let last;
  for await (const event of stream) last = event;
  assert.equal(last.type, "response.incomplete");
  const final = last.response;
  // Five tokens are all reasoning: the answer is cut before its text.
  assert.equal(final.status, "incomplete");
  assert.equal(final.incomplete_details.reason, "max_output_tokens");
  assert.equal(final.usage.output_tokens, 5);
});
