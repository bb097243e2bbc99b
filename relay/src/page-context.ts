import type { AgentConfig } from "./agent-config.ts";
import { insertContext, placeholderNames, valueProblem, type PageContext } from "./context-declaration.ts";
import { HttpError } from "./http-error.ts";

/**
 * The page's context checked against what the agent declares, when its session opens: every name must
 * be a declared variable, every value must keep its variable's rule, and every required variable must be
 * given. The relay is the authority: the widget only checks the shape.
 *
 * @throws HttpError 400 `context_invalid` naming each variable and its rule (never the value)
 */
export function validateContext(agent: AgentConfig, given: Readonly<Record<string, unknown>> | undefined): PageContext {
  const declared = agent.context;
  const problems: string[] = [];
  const context: PageContext = {};
  for (const [name, value] of Object.entries(given ?? {})) {
    const variable = Object.hasOwn(declared, name) ? declared[name] : undefined;
    if (!variable) {
      problems.push(`context.${shortName(name)} is not a variable of agent "${agent.id}" (${acceptedNames(agent)})`);
      continue;
    }
    const problem = valueProblem(variable, value);
    if (problem) problems.push(`context.${name}: ${problem}`);
    else context[name] = value as PageContext[string];
  }
  for (const [name, variable] of Object.entries(declared)) {
    if (variable.required && !Object.hasOwn(given ?? {}, name)) problems.push(`context.${name} is required`);
  }
  if (problems.length > 0) throw new HttpError(400, "context_invalid", `Invalid page context: ${problems.join("; ")}.`);
  return context;
}

/** A name the page sent, cut to the longest declarable one. */
function shortName(name: string): string {
  return name.length > 64 ? `${name.slice(0, 64)}…` : name;
}

function acceptedNames(agent: AgentConfig): string {
  const names = Object.keys(agent.context);
  return names.length === 0 ? "it accepts no context" : `it accepts ${names.join(", ")}`;
}

/**
 * The agent as one session sees it: its `systemPrompt` with the session's page context inserted
 * ({@link insertContext}). What `requireSession` puts on the context, so the chat completion's system
 * message, a client secret's and the realtime WebSocket's instructions all get the same prompt.
 */
export function sessionAgent(agent: AgentConfig, context: Readonly<PageContext>): AgentConfig {
  if (placeholderNames(agent.systemPrompt).length === 0) return agent;
  return { ...agent, systemPrompt: insertContext(agent.systemPrompt, agent.context, context) };
}

/**
 * What an operator should look at in the agents' context, one line each, logged at start: a declared
 * variable no placeholder of the prompt uses (the page may send it, and the model never sees it).
 */
export function contextWarnings(agents: readonly AgentConfig[]): string[] {
  return agents.flatMap((agent) => {
    const used = new Set(placeholderNames(agent.systemPrompt));
    return Object.keys(agent.context)
      .filter((name) => !used.has(name))
      .map(
        (name) => `agent ${agent.id}: context variable ${name} appears in no {{${name}}} of its systemPrompt, so the model never sees it`,
      );
  });
}
