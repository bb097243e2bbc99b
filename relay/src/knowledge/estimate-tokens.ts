/**
 * A model-independent token estimate: characters ÷ 4, rounded up. English prose averages about four
 * characters per token with OpenAI's tokenizers; other languages and code take more tokens per character,
 * so budgets counted this way are approximate (good enough to bound a turn's context, not to bill it).
 */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}
