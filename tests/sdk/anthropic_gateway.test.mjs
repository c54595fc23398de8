// The official `@anthropic-ai/sdk` client against `flashfirst serve --upstream sim`
// (POST /v1/messages, forwarded to the upstream's Anthropic endpoint): routed,
// costed, streamed, and errors in Anthropic's format.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import Anthropic from "@anthropic-ai/sdk";
import { startGateway } from "./gateway_process.mjs";

let gw;
let client;

before(async () => {
  gw = await startGateway("ff-anthropic-key");
  client = new Anthropic({ apiKey: "ff-anthropic-key", baseURL: gw.url, maxRetries: 0 });
});

after(() => gw?.stop());

test("messages.create with model auto is routed and costed", async () => {
  const { data, response } = await client.messages
    .create({ model: "auto", max_tokens: 512, messages: [{ role: "user", content: "Prove that 17 is prime." }] })
    .withResponse();
  assert.equal(data.type, "message");
  assert.equal(response.headers.get("x-flashfirst-model"), "deepseek-v4-pro");
  assert.ok(data.usage.output_tokens > 0);
  assert.match(response.headers.get("x-flashfirst-cost"), /^\d+(\.\d+)?$/);
});

test("a Claude model name maps to a tier", async () => {
  const { response } = await client.messages
    .create({ model: "claude-sonnet-4-5", max_tokens: 256, messages: [{ role: "user", content: "Hello" }] })
    .withResponse();
  assert.equal(response.headers.get("x-flashfirst-model"), "deepseek-v4-flash");
});

test("a streamed message ends with its usage, and the cost rides on message_delta", async () => {
  const stream = client.messages.stream({ model: "flash", max_tokens: 256,
                                          messages: [{ role: "user", content: "Summarize: sales rose." }] });
  let delta;
  stream.on("streamEvent", (e) => { if (e.type === "message_delta") delta = e; });
  const final = await stream.finalMessage();
  assert.ok(final.usage.output_tokens > 0);
  assert.equal(delta.flashfirst.model, "deepseek-v4-flash");
  assert.match(delta.flashfirst.cost, /^\d+\.\d+$/);
  assert.ok(Number(delta.flashfirst.cost) > 0);
});

test("a Flash message that fails the check is re-asked on Pro", async () => {
  // The simulator's failing Flash answer comes back empty (a cut at the client's
  // own max_tokens would be no failure); the gateway checks Anthropic answers
  // too, and escalates.
  const { data, response } = await client.messages
    .create({ model: "flash", max_tokens: 512, messages: [{ role: "user", content: "Summarize: sales rose in May." }] },
            { headers: { "x-sim-fault": "fail-flash" } })
    .withResponse();
  assert.equal(response.headers.get("x-flashfirst-escalated"), "true");
  assert.equal(response.headers.get("x-flashfirst-model"), "deepseek-v4-pro");
  assert.match(response.headers.get("x-flashfirst-route"), /escalated: Flash's answer failed \(empty answer\)/);
  assert.equal(data.stop_reason, "end_turn");
});

test("a Flash tool call off its schema is re-asked on Pro", async () => {
  const { data, response } = await client.messages
    .create({ model: "flash", max_tokens: 512,
              tools: [{ name: "get_weather", input_schema: { type: "object", properties: { city: { type: "string" } },
                                                                 required: ["city"] } }],
              tool_choice: { type: "any" }, thinking: { type: "disabled" },
              messages: [{ role: "user", content: "Weather in Oslo?" }] },
            { headers: { "x-sim-fault": "fail-flash" } })
    .withResponse();
  assert.equal(response.headers.get("x-flashfirst-escalated"), "true");
  assert.match(response.headers.get("x-flashfirst-route"), /tool 'get_weather': missing required property 'city'/);
  const call = data.content.find((b) => b.type === "tool_use");
  assert.equal(call.name, "get_weather");
  assert.equal(typeof call.input.city, "string");
});

test("a wrong key is a 401 in Anthropic's format", async () => {
  const bad = new Anthropic({ apiKey: "nope", baseURL: gw.url, maxRetries: 0 });
  await assert.rejects(bad.messages.create({ model: "auto", max_tokens: 16, messages: [{ role: "user", content: "hi" }] }),
                       (e) => e instanceof Anthropic.AuthenticationError && e.error?.error?.type === "authentication_error");
});
