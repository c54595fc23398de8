// The official `openai` npm client against `flashfirst sim`: the simulator must be
// indistinguishable from the DeepSeek API for it (chat, streaming, tool calls,
// JSON mode, thinking mode, errors).
//   FLASHFIRST=build/release/flashfirst node --test tests/sdk/
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import OpenAI from "openai";
import { startSim } from "./sim_process.mjs";

let sim;
let client;

before(async () => {
  sim = await startSim("sk-test");
  client = new OpenAI({ apiKey: "sk-test", baseURL: sim.url, maxRetries: 0 });
});

after(() => sim?.stop());

test("chat completion in thinking mode carries reasoning_content and exact usage", async () => {
  const r = await client.chat.completions.create({
    model: "deepseek-v4-pro",
    messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "What is 2 + 2?" }],
  });
  assert.equal(r.object, "chat.completion");
  assert.equal(r.choices[0].message.role, "assistant");
  assert.ok(r.choices[0].message.reasoning_content.length > 0);
  const u = r.usage;
  assert.equal(u.prompt_tokens, u.prompt_cache_hit_tokens + u.prompt_cache_miss_tokens);
  assert.equal(u.prompt_tokens_details.cached_tokens, u.prompt_cache_hit_tokens);
  assert.equal(u.total_tokens, u.prompt_tokens + u.completion_tokens);
  assert.ok(u.completion_tokens_details.reasoning_tokens > 0);
  assert.ok(u.completion_tokens >= u.completion_tokens_details.reasoning_tokens);
});

test("the same request again is served from the cache", async () => {
  const req = { model: "deepseek-flash", thinking: { type: "disabled" },
                messages: [{ role: "user", content: "Tell me about caching in one line." }] };
  const first = await client.chat.completions.create(req);
  const second = await client.chat.completions.create(req);
  assert.equal(first.usage.prompt_cache_hit_tokens, 0);
  assert.equal(second.usage.prompt_cache_hit_tokens, second.usage.prompt_tokens);
});

test("streaming: role first, reasoning before content, usage on the last chunk", async () => {
  const stream = await client.chat.completions.create({
    model: "deepseek-flash", stream: true, stream_options: { include_usage: true },
    messages: [{ role: "user", content: "Stream please." }],
  });
  const chunks = [];
  for await (const c of stream) chunks.push(c);
  assert.equal(chunks[0].choices[0].delta.role, "assistant");
  let sawContent = false;
  let reasoning = "";
  for (const c of chunks.slice(1, -1)) {
    const d = c.choices[0].delta;
    if (d.reasoning_content) { assert.equal(sawContent, false); reasoning += d.reasoning_content; }
    if (d.content) sawContent = true;
    assert.equal(c.usage, null);
  }
  assert.ok(reasoning.length > 0 && sawContent);
  const last = chunks.at(-1);
  assert.equal(last.choices[0].finish_reason, "stop");
  assert.ok(last.usage.completion_tokens > 0);
  assert.equal(new Set(chunks.map((c) => c.id)).size, 1);
});

test("tool calls name a defined tool and their arguments fit its schema", async () => {
  const r = await client.chat.completions.create({
    model: "deepseek-flash", thinking: { type: "disabled" },
    tools: [{ type: "function", function: { name: "get_weather", parameters: {
      type: "object", properties: { city: { type: "string" }, days: { type: "integer" } }, required: ["city"] } } }],
    tool_choice: { type: "function", function: { name: "get_weather" } },
    messages: [{ role: "user", content: "Weather in Paris?" }],
  });
  const call = r.choices[0].message.tool_calls[0];
  assert.equal(r.choices[0].finish_reason, "tool_calls");
  assert.equal(call.function.name, "get_weather");
  const args = JSON.parse(call.function.arguments);
  assert.equal(typeof args.city, "string");
  assert.ok(Number.isInteger(args.days));
});

test("JSON mode answers a JSON object", async () => {
  const r = await client.chat.completions.create({
    model: "deepseek-flash", response_format: { type: "json_object" },
    messages: [{ role: "user", content: "Reply in JSON." }],
  });
  const parsed = JSON.parse(r.choices[0].message.content);
  assert.equal(typeof parsed, "object");
});

test("errors reach the client as the API's own", async () => {
  const bad = new OpenAI({ apiKey: "sk-wrong", baseURL: client.baseURL, maxRetries: 0 });
  await assert.rejects(bad.chat.completions.create({ model: "deepseek-flash", messages: [{ role: "user", content: "x" }] }),
                       (e) => e.status === 401 && e.error.type === "authentication_error");
  await assert.rejects(client.chat.completions.create({ model: "deepseek-flash", max_tokens: 0,
                                                        messages: [{ role: "user", content: "x" }] }),
                       (e) => e.status === 422 && /max_tokens/.test(e.message));
  await assert.rejects(client.chat.completions.create({ model: "deepseek-chat", messages: [{ role: "user", content: "x" }] }),
                       (e) => e.status === 400 && /retired/.test(e.message));
  const models = await client.models.list();
  assert.deepEqual(models.data.map((m) => m.id), ["deepseek-flash", "deepseek-v4-pro"]);
});
