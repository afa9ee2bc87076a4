/** The simulator's refusal messages, zh-CN and en (spread into src/http/messages.ts). */
export const SIMULATION_MESSAGES: Record<string, { 'zh-CN': string; en: string }> = {
  'simulation.days_range': {
    'zh-CN': '模拟天数必须是 {min} 到 {max} 之间的整数（收到 {value}）',
    en: 'Days must be a whole number from {min} to {max} (got {value})',
  },
  'simulation.distributors_range': {
    'zh-CN': '经销商数量必须是 {min} 到 {max} 之间的整数（收到 {value}）',
    en: 'Distributors must be a whole number from {min} to {max} (got {value})',
  },
  'simulation.stores_range': {
    'zh-CN': '门店数量必须是 {min} 到 {max} 之间的整数（收到 {value}）',
    en: 'Stores must be a whole number from {min} to {max} (got {value})',
  },
  'simulation.skus_range': {
    'zh-CN': 'SKU 数量必须是 {min} 到 {max} 之间的整数（收到 {value}）',
    en: 'SKUs must be a whole number from {min} to {max} (got {value})',
  },
  'simulation.seed_range': {
    'zh-CN': '随机种子必须是 {min} 到 {max} 之间的整数（收到 {value}）',
    en: 'The seed must be a whole number from {min} to {max} (got {value})',
  },
  'simulation.fewer_stores_than_distributors': {
    'zh-CN': '门店数（{stores}）少于经销商数（{distributors}）：每个经销商至少要有一家门店',
    en: 'Fewer stores ({stores}) than distributors ({distributors}): every distributor needs at least one store',
  },
  'simulation.too_large': { 'zh-CN': '门店 × SKU 共 {value}，超过上限 {max}', en: 'Stores x SKUs is {value}, above the limit of {max}' },
  'simulation.policy_unknown': { 'zh-CN': '未知的补货策略 {value}（可选：{allowed}）', en: 'Unknown policy {value} (one of: {allowed})' },
  'simulation.mode_unknown': { 'zh-CN': '未知的运行模式 {value}（可选：{allowed}）', en: 'Unknown mode {value} (one of: {allowed})' },
  'simulation.service_level_range': {
    'zh-CN': '服务水平必须大于 {min} 且小于 {max}（收到 {value}）',
    en: 'The service level must be above {min} and below {max} (got {value})',
  },
  'simulation.lead_days_range': {
    'zh-CN': '提前期必须是 {min} 到 {max} 天之间的整数（收到 {value}）',
    en: 'A lead time must be a whole number of days from {min} to {max} (got {value})',
  },
  'simulation.review_days_range': {
    'zh-CN': '盘点周期必须是 {min} 到 {max} 天（收到 {value}）',
    en: 'A review period must be {min} to {max} days (got {value})',
  },
  'simulation.window_days_range': {
    'zh-CN': '历史窗口必须是 {min} 到 {max} 天（收到 {value}）',
    en: 'A history window must be {min} to {max} days (got {value})',
  },
  'simulation.cover_days_range': {
    'zh-CN': '覆盖天数必须是 {min} 到 {max} 天（收到 {value}）',
    en: 'Days of cover must be {min} to {max} (got {value})',
  },
  'simulation.pack_range': {
    'zh-CN': '包装数量必须是 {min} 到 {max}（收到 {value}）',
    en: 'A pack size must be {min} to {max} (got {value})',
  },
  'simulation.running_limit': {
    'zh-CN': '已有 {running} 个模拟正在运行，请等待其完成',
    en: '{running} simulations are already running: wait for one to finish',
  },
  'simulation.unknown_run': { 'zh-CN': '模拟 {value} 不存在', en: 'Simulation run {value} does not exist' },
  'simulation.cancelled': { 'zh-CN': '模拟已取消', en: 'The simulation was cancelled' },
  'simulation.interrupted': {
    'zh-CN': '运行模拟的服务已停止，模拟未完成',
    en: 'The server running the simulation stopped before it finished',
  },
};
