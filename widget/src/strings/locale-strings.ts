import type { VoiceAgentStrings } from "../voice-agent.strings.ts";

/** The languages the widget ships strings for, besides English (the default, in the loader). */
export const LOCALES = ["fr", "de", "es", "it"] as const;
/** One of {@link LOCALES}. */
export type Locale = (typeof LOCALES)[number];

// One small chunk per language, fetched only by pages in that language.
const loaders: Record<Locale, () => Promise<{ default: VoiceAgentStrings }>> = {
  fr: () => import("./fr.ts"),
  de: () => import("./de.ts"),
  es: () => import("./es.ts"),
  it: () => import("./it.ts"),
};

/** The shipped language of a BCP 47 tag (`fr-CA` → `fr`), or undefined for English and languages not shipped. */
export function localeOf(lang: string | undefined): Locale | undefined {
  const base = lang?.trim().toLowerCase().split(/[-_]/)[0];
  return LOCALES.find((locale) => locale === base);
}

/** Loads the strings of `locale`. */
export async function loadLocaleStrings(locale: Locale): Promise<VoiceAgentStrings> {
  return (await loaders[locale]()).default;
}
