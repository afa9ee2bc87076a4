/** The segment table of the common RFM recipe: a segment from the recency and frequency scores (1-5 each). */

export const SEGMENTS = [
  'champions',
  'loyal_customers',
  'potential_loyalists',
  'new_customers',
  'promising',
  'need_attention',
  'about_to_sleep',
  'at_risk',
  'cant_lose',
  'hibernating',
] as const;
export type Segment = (typeof SEGMENTS)[number];

/**
 * R 1-2: F 1-2 hibernating, F 3-4 at risk, F 5 can't lose. R 3: F 1-2 about to sleep, F 3 need attention.
 * R 3-4 with F 4-5 loyal customers. R 4 F 1 promising; R 5 F 1 new customers. R 4-5 with F 2-3 potential loyalists.
 * R 5 with F 4-5 champions. Every one of the 25 cells has exactly one segment.
 */
export function segmentOf(r: number, f: number): Segment {
  if (!Number.isInteger(r) || !Number.isInteger(f) || r < 1 || r > 5 || f < 1 || f > 5)
    throw new RangeError(`scores are 1 to 5, got R ${r} F ${f}`);
  if (r <= 2) return f <= 2 ? 'hibernating' : f <= 4 ? 'at_risk' : 'cant_lose';
  if (f >= 4) return r === 5 ? 'champions' : 'loyal_customers';
  if (r === 3) return f <= 2 ? 'about_to_sleep' : 'need_attention';
  if (f === 1) return r === 4 ? 'promising' : 'new_customers';
  return 'potential_loyalists';
}

/** The segments' names as the console and the exports show them. */
export const SEGMENT_NAMES: Record<Segment, { 'zh-CN': string; en: string }> = {
  champions: { 'zh-CN': '重要价值', en: 'Champions' },
  loyal_customers: { 'zh-CN': '忠诚客户', en: 'Loyal customers' },
  potential_loyalists: { 'zh-CN': '潜力客户', en: 'Potential loyalists' },
  new_customers: { 'zh-CN': '新客户', en: 'New customers' },
  promising: { 'zh-CN': '有望客户', en: 'Promising' },
  need_attention: { 'zh-CN': '需要关注', en: 'Need attention' },
  about_to_sleep: { 'zh-CN': '即将沉睡', en: 'About to sleep' },
  at_risk: { 'zh-CN': '流失风险', en: 'At risk' },
  cant_lose: { 'zh-CN': '不能失去', en: "Can't lose" },
  hibernating: { 'zh-CN': '沉睡客户', en: 'Hibernating' },
};
