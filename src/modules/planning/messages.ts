/** Messages of the job queue and of planning (plans, CPFR, capacity), in zh-CN and en; merged into http/messages.ts. */
export const PLANNING_MESSAGES: Record<string, { 'zh-CN': string; en: string }> = {
  'jobs.unknown_kind': { 'zh-CN': '未知的任务类型 {value}', en: 'Unknown job kind {value}' },
  'jobs.idempotency_conflict': {
    'zh-CN': '该幂等键已用于另一个任务（{id}），类型或参数不同',
    en: 'This idempotency key was used for another job ({id}) with another kind or parameters',
  },
  'jobs.not_cancellable': {
    'zh-CN': '任务 {id} 已结束（{status}），不能取消',
    en: 'Job {id} has finished ({status}) and cannot be cancelled',
  },
  'jobs.worker_lost': {
    'zh-CN': '执行任务的进程已停止，重试次数已用完',
    en: 'The process running the job stopped and no attempts are left',
  },
  'jobs.requeued_worker_lost': {
    'zh-CN': '执行任务的进程已停止，任务已重新排队',
    en: 'The process running the job stopped; the job is queued again',
  },
  'jobs.requeued_shutdown': { 'zh-CN': '服务重启，任务已重新排队', en: 'The server restarted; the job is queued again' },
  'plans.unknown_party': {
    'zh-CN': '经销商 {value} 不存在或不在您的范围内',
    en: 'Distributor {value} does not exist or is not in your scope',
  },
  'plans.not_a_distributor': { 'zh-CN': '{value} 不是经销商', en: '{value} is not a distributor' },
  'plans.unknown_sku': { 'zh-CN': 'SKU {value} 不存在', en: 'SKU {value} does not exist' },
  'plans.unknown_line': { 'zh-CN': '计划中没有第 {value} 行', en: 'The plan has no line {value}' },
  'plans.reason_required': { 'zh-CN': '调整数量时请说明原因', en: 'Give a reason for the adjusted quantity' },
  'plans.not_whole_cases': {
    'zh-CN': '数量 {value} 不是整箱：每箱 {caseSize} 件，请填 {caseSize} 的倍数',
    en: 'Quantity {value} is not whole cases: a case holds {caseSize}, so give a multiple of {caseSize}',
  },
  // the words of plans.not_whole_cases when the order rule's multiple is not the case size
  'plans.not_whole_cases_of_rule': {
    'zh-CN': '数量 {value} 须为 {step} 的倍数：整箱（每箱 {caseSize} 件），且符合订货规则（{multiple} 的倍数）',
    en: 'Quantity {value} must be a multiple of {step}: whole cases of {caseSize} that the order rule takes (multiples of {multiple})',
  },
  'plans.invalid_transition': {
    'zh-CN': '计划当前状态为 {status}，不能执行“{action}”',
    en: 'The plan is {status}: it cannot be {action}',
  },
  'plans.empty': {
    'zh-CN': '计划没有任何行（该经销商的门店近期没有分销出库记录），无需共享',
    en: "The plan has no lines (no recent sell-through by the distributor's stores): there is nothing to share",
  },
  'plans.nothing_to_order': { 'zh-CN': '计划中没有数量大于零的行', en: 'No line of the plan has a quantity above zero' },
  'plans.progress': { 'zh-CN': '已完成 {done}/{total} 个经销商', en: '{done} of {total} distributors done' },
  'capacity.unknown_factory': { 'zh-CN': '工厂 {value} 不存在', en: 'Factory {value} does not exist' },
  'capacity.not_monday': { 'zh-CN': '周 {value} 必须是周一的日期', en: 'The week {value} must be given by its Monday' },
  'capacity.unknown_category': { 'zh-CN': '产品线 {value} 不存在', en: 'Product line {value} does not exist' },
  'capacity.duplicate': { 'zh-CN': '第 {first} 行与本行重复', en: 'The same factory, week and item as row {first}' },
  'capacity.range': { 'zh-CN': '起止周无效：{reason}', en: 'Invalid range of weeks: {reason}' },
  'capacity.import_empty': { 'zh-CN': '导入文件没有数据行', en: 'The import has no data rows' },
  'capacity.import_header': { 'zh-CN': '导入文件缺少列 {value}', en: 'The import lacks the column {value}' },
};
