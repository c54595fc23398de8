// `@ai-sdk/deepseek` (Vercel AI SDK) with its base URL pointed at
// `flashfirst serve --upstream sim`: generateText and streamText.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createDeepSeek } from "@ai-sdk/deepseek";
import { generateText, streamText } from "ai";
import { startGateway } from "./gateway_process.mjs";

let gw;
let deepseek;

before(async () => {
  gw = await startGateway("ff-ai-sdk-key");
  deepseek = createDeepSeek({ apiKey: "ff-ai-sdk-key", baseURL: `${gw.url}/v1` });
});

after(() => gw?.stop());

test("generateText through the gateway, routed and costed", async () => {
  const r = await generateText({ model: deepseek("auto"), prompt: "Summarize: the meeting moved to Friday.", maxRetries: 0 });
  assert.ok(r.text.length > 0);
  assert.ok(r.usage.outputTokens > 0);
  assert.equal(r.response.headers["x-flashfirst-model"], "deepseek-v4-flash");
  assert.match(r.response.headers["x-flashfirst-cost"], /^\d+(\.\d+)?$/);
});

test("streamText through the gateway", async () => {
  const r = streamText({ model: deepseek("pro"), prompt: "Say hello.", maxRetries: 0 });
  let text = "";
  for await (const part of r.textStream) text += part;
  assert.ok(text.length > 0);
  const usage = await r.usage;
  assert.ok(usage.outputTokens > 0);
});
