// The official `openai` npm client against `flashfirst serve --upstream sim`:
// only the base URL changes. Routing, cost headers, streams costed from their
// usage chunk, tools, JSON mode, the thinking-mode tool loop without
// reasoning_content, and errors in the OpenAI format.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import OpenAI from "openai";
import { startGateway } from "./gateway_process.mjs";

let gw;
let client;

before(async () => {
  gw = await startGateway("ff-team-key");
  client = new OpenAI({ apiKey: "ff-team-key", baseURL: `${gw.url}/v1`, maxRetries: 0 });
});

after(() => gw?.stop());

test("auto routes a proof to Pro and says so in the headers", async () => {
  const { data, response } = await client.chat.completions
    .create({ model: "auto", messages: [{ role: "user", content: "Prove that there are infinitely many primes." }] })
    .withResponse();
  assert.equal(data.model, "deepseek-v4-pro");
  assert.equal(response.headers.get("x-flashfirst-model"), "deepseek-v4-pro");
  assert.match(response.headers.get("x-flashfirst-route"), /^multi_step_reasoning; /);
  assert.equal(response.headers.get("x-flashfirst-escalated"), "false");
  assert.match(response.headers.get("x-flashfirst-cost"), /^\d+(\.\d+)?$/);
  assert.equal(response.headers.get("x-flashfirst-cost-if-pro"), response.headers.get("x-flashfirst-cost"));
});

test("a summary goes to Flash, and costs less than it would on Pro", async () => {
  const { data, response } = await client.chat.completions
    .create({ model: "auto", messages: [{ role: "user", content: "Summarize: sales rose 4% while costs fell." }] })
    .withResponse();
  assert.equal(data.model, "deepseek-v4-flash");
  assert.ok(Number(response.headers.get("x-flashfirst-cost")) < Number(response.headers.get("x-flashfirst-cost-if-pro")));
});

test("a stream is passed through and its last chunk carries usage and the cost", async () => {
  const stream = await client.chat.completions.create({
    model: "flash", stream: true, messages: [{ role: "user", content: "Translate into German: thank you" }],
  });
  let text = "";
  let last;
  for await (const chunk of stream) {
    text += chunk.choices[0]?.delta?.content ?? "";
    last = chunk;
  }
  assert.ok(text.length > 0);
  assert.ok(last.usage.completion_tokens > 0);
  assert.equal(last.flashfirst.model, "deepseek-v4-flash");
  // Exact decimal strings, as in the headers.
  assert.match(last.flashfirst.cost, /^\d+\.\d+$/);
  assert.ok(Number(last.flashfirst.cost) > 0 && Number(last.flashfirst.cost) < Number(last.flashfirst.cost_if_pro));
});

test("tools: the call names a defined tool with arguments that parse", async () => {
  // Non-thinking mode allows tool_choice "required" (thinking mode answers it with a 400).
  const r = await client.chat.completions.create({
    model: "auto", thinking: { type: "disabled" }, tool_choice: "required",
    messages: [{ role: "user", content: "What's the weather in Oslo?" }],
    tools: [{ type: "function", function: { name: "get_weather",
      parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } } }],
  });
  const call = r.choices[0].message.tool_calls[0];
  assert.equal(call.function.name, "get_weather");
  assert.equal(typeof JSON.parse(call.function.arguments).city, "string");
});

test("JSON mode answers with a JSON object", async () => {
  const r = await client.chat.completions.create({
    model: "auto", response_format: { type: "json_object" },
    messages: [{ role: "user", content: "Extract the city as JSON: Ana lives in Porto." }],
  });
  assert.equal(typeof JSON.parse(r.choices[0].message.content), "object");
});

test("a thinking-mode tool loop works even when the client drops reasoning_content", async () => {
  const tools = [{ type: "function", function: { name: "get_weather",
    parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } } }];
  // With tool_choice "auto" the model may answer without a call; ask until it calls
  // (the simulator is deterministic, so this always takes the same turns).
  let messages, call;
  for (const city of ["Lisbon", "Oslo", "Rome", "Kyiv", "Lima", "Quito"]) {
    messages = [{ role: "user", content: `What's the weather in ${city}?` }];
    const first = await client.chat.completions.create({ model: "flash", messages, tools });
    call = first.choices[0].message.tool_calls?.[0];
    if (call) break;
  }
  assert.ok(call, "no tool call in six tries");
  // What many clients send back: the tool call, without reasoning_content.
  messages.push({ role: "assistant", content: null, tool_calls: [call] });
  messages.push({ role: "tool", tool_call_id: call.id, content: "sunny, 24C" });
  const { data, response } = await client.chat.completions.create({ model: "flash", messages, tools }).withResponse();
  assert.equal(data.object, "chat.completion");
  assert.equal(response.headers.get("x-flashfirst-reasoning-restored"), "1");
});

test("a one-tool loop stays on Flash: a call and its result are one step", async () => {
  const tools = [{ type: "function", function: { name: "get_weather",
    parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } } }];
  let messages, call, first;
  for (const city of ["Paris", "Oslo", "Rome", "Kyiv", "Lima", "Quito"]) {
    messages = [{ role: "user", content: `What's the weather in ${city}?` }];
    first = await client.chat.completions.create({ model: "auto", messages, tools }).withResponse();
    call = first.data.choices[0].message.tool_calls?.[0];
    if (call) break;
  }
  assert.ok(call, "no tool call in six tries");
  assert.equal(first.response.headers.get("x-flashfirst-model"), "deepseek-v4-flash");
  messages.push(first.data.choices[0].message);  // as the SDK hands it back, reasoning_content included
  messages.push({ role: "tool", tool_call_id: call.id, content: "sunny, 24C" });
  const { data, response } = await client.chat.completions.create({ model: "auto", messages, tools }).withResponse();
  assert.equal(data.model, "deepseek-v4-flash");
  assert.equal(response.headers.get("x-flashfirst-model"), "deepseek-v4-flash");
  assert.match(response.headers.get("x-flashfirst-route"),
               /^straightforward_qa; .*1 tool step so far \(a call and its result\): the conversation keeps its question's tier$/);
});

test("a wrong key is a 401 in the OpenAI format", async () => {
  const bad = new OpenAI({ apiKey: "nope", baseURL: `${gw.url}/v1`, maxRetries: 0 });
  await assert.rejects(bad.chat.completions.create({ model: "auto", messages: [{ role: "user", content: "hi" }] }),
                       (e) => e instanceof OpenAI.AuthenticationError && e.code === "invalid_api_key");
});

test("models are listed", async () => {
  const list = await client.models.list();
  assert.ok(list.data.some((m) => m.id.includes("flash")));
});
