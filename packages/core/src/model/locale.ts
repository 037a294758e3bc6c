/** The locales every label ships in. Hosts pick one; components switch at run time. */
export const LOCALES = ['zh-CN', 'zh-TW', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

/** A label in every supported locale — policies carry these so a widget never invents wording. */
export type LocalizedText = Readonly<Record<Locale, string>>;
