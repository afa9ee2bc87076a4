/**
 * Human messages for stable error codes, in zh-CN (default) and en. The code is the contract;
 * the text is for people and may change. `{name}` placeholders are filled from the error's params.
 */
import { FUNDS_NOTE_MESSAGES } from '../modules/orders/funds-note-messages.ts';
import { PLANNING_MESSAGES } from '../modules/planning/messages.ts';
import { SIMULATION_MESSAGES } from '../modules/planning/simulator/messages.ts';
import { chinaDateTimeText } from '../platform/china-time.ts';
import { ruleReason } from './rule-reasons.ts';

export type Locale = 'zh-CN' | 'en';

const MESSAGES: Record<string, { 'zh-CN': string; en: string }> = {
  'request.invalid': { 'zh-CN': '请求内容无效', en: 'The request is invalid' },
  'request.malformed_json': { 'zh-CN': '请求体不是有效的 JSON', en: 'The request body is not valid JSON' },
  'request.unsupported_media_type': { 'zh-CN': '不支持的内容类型', en: 'Unsupported content type' },
  'request.too_large': { 'zh-CN': '请求体过大', en: 'The request body is too large' },
  'request.bad_url': { 'zh-CN': '请求地址无效', en: 'The request URL is not valid' },
  'request.uri_too_long': { 'zh-CN': '请求地址中的参数过长', en: 'A parameter in the request URL is too long' },
  'request.bad_http': { 'zh-CN': '请求不符合 HTTP 协议', en: 'The request is not valid HTTP' },
  'request.headers_too_large': { 'zh-CN': '请求头过大', en: 'The request headers are too large' },
  'request.timeout': { 'zh-CN': '请求超时', en: 'The request timed out' },
  'field.required': { 'zh-CN': '缺少必填字段 {field}', en: 'Missing required field {field}' },
  'field.unknown': { 'zh-CN': '未知字段 {field}', en: 'Unknown field {field}' },
  'field.invalid': { 'zh-CN': '字段 {field} 的值无效：{reason}', en: 'Invalid value for {field}: {reason}' },
  'gtin.check_digit': { 'zh-CN': 'GTIN {value} 校验位错误', en: 'GTIN {value} has a wrong check digit' },
  'gtin.format': { 'zh-CN': 'GTIN 必须是 8、12、13 或 14 位数字', en: 'A GTIN must be 8, 12, 13 or 14 digits' },
  'gln.check_digit': { 'zh-CN': 'GLN {value} 校验位错误', en: 'GLN {value} has a wrong check digit' },
  'gln.format': { 'zh-CN': 'GLN 必须是 13 位数字', en: 'A GLN must be 13 digits' },
  'division.unknown': { 'zh-CN': '行政区划代码 {value} 不存在', en: 'Administrative division {value} does not exist' },
  'division.mismatch': {
    'zh-CN': '行政区划 {value} 不属于上级区划 {parent}',
    en: 'Division {value} is not inside {parent}',
  },
  'demo.history_day': {
    'zh-CN': '演示历史：已回放 {day} / {days} 天',
    en: 'Demo history: {day} of {days} days played',
  },
  'analytics.range_reversed': { 'zh-CN': '结束日期 {to} 早于开始日期 {from}', en: 'The end date {to} is before the start date {from}' },
  'analytics.range_too_long': { 'zh-CN': '时间范围最长 {max} 天', en: 'The time range may cover at most {max} days' },
  'analytics.unknown_region': { 'zh-CN': '行政区划 {value} 不存在', en: 'There is no administrative division {value}' },
  'analytics.unknown_sku': { 'zh-CN': '没有 GTIN 为 {value} 的商品', en: 'There is no product with GTIN {value}' },
  'analytics.unknown_category': { 'zh-CN': '商品类别 {value} 不存在', en: 'There is no product category {value}' },
  'analytics.unknown_party': {
    'zh-CN': '渠道成员 {value} 不存在或不在您的数据范围内',
    en: 'Party {value} does not exist or is outside your data scope',
  },
  'analytics.launch_needs_sku': { 'zh-CN': '新品分析需要指定商品（gtin）', en: 'A launch analysis needs the product (gtin)' },
  'analytics.launch_needs_pilot': {
    'zh-CN': '新品分析需要指定试点区域（region）或试点渠道成员（party）',
    en: 'A launch analysis needs the pilot region (region) or pilot party (party)',
  },
  'auth.required': { 'zh-CN': '请先登录', en: 'Please log in' },
  'auth.invalid_credentials': { 'zh-CN': '租户、用户名或密码错误', en: 'Wrong tenant, username or password' },
  'auth.locked': {
    'zh-CN': '登录失败次数过多，账号已临时锁定，请稍后再试',
    en: 'Too many failed logins; the account is locked for a while',
  },
  'auth.token_invalid': { 'zh-CN': '登录凭证无效或已过期', en: 'The token is invalid or has expired' },
  'auth.api_key_invalid': { 'zh-CN': 'API 密钥无效或已吊销', en: 'The API key is invalid or revoked' },
  'auth.csrf': {
    'zh-CN': '缺少 CSRF 防护请求头 x-throughline-csrf',
    en: 'Missing the CSRF header x-throughline-csrf',
  },
  'service.database_unavailable': {
    'zh-CN': '数据库暂时无法访问，请稍后重试',
    en: 'The database cannot be reached at the moment; try again shortly',
  },
  'ready.database_unreachable': { 'zh-CN': '数据库无法访问：{reason}', en: 'The database cannot be reached: {reason}' },
  'ready.migrations_pending': {
    'zh-CN': '数据库迁移尚未全部应用：{pending}',
    en: 'Database migrations are not all applied: {pending}',
  },
  'metrics.forbidden': {
    'zh-CN': '监控指标只对本机或持有抓取令牌的请求开放',
    en: 'Metrics are served to loopback callers or with the scrape token only',
  },
  'access.denied': { 'zh-CN': '当前角色无权执行此操作', en: 'Your role may not do this' },
  'access.key_scope': {
    'zh-CN': '此 API 密钥未被授权执行 {action}',
    en: 'This API key is not allowed to do {action}',
  },
  not_found: { 'zh-CN': '未找到该记录', en: 'Not found' },
  'route.not_found': { 'zh-CN': '接口不存在', en: 'No such endpoint' },
  conflict: { 'zh-CN': '记录已存在：{detail}', en: 'Already exists: {detail}' },
  // consumers CRM: identity evidence, consumer sessions, privacy, membership and the points mall
  'segments.not_computed': {
    'zh-CN': '消费者分层尚未计算，请先重新计算',
    en: 'The consumer segments have not been computed yet; refresh them first',
  },
  'segments.too_many_rows_for_xlsx': {
    'zh-CN': '共有 {population} 位消费者，超过 Excel 单个工作表的 {max} 行上限，请导出为 CSV',
    en: 'There are {population} consumers, more than the {max} rows an Excel sheet holds; export them as CSV',
  },
  'consumer.brand_unknown': { 'zh-CN': '品牌不存在', en: 'No such brand' },
  'consumer.device_required': {
    'zh-CN': '请先扫码打开页面（缺少设备标识）',
    en: 'Open the page by scanning a code first (no device cookie)',
  },
  'consumer.session_required': { 'zh-CN': '请先用手机验证码登录', en: 'Sign in with a code sent to your phone first' },
  'consumer.otp_throttled': { 'zh-CN': '验证码发送或校验过于频繁，请稍后再试', en: 'Too many codes sent or tried; try again later' },
  'consumer.otp_too_many_tries': { 'zh-CN': '验证码错误次数过多，请重新获取', en: 'Too many wrong tries; ask for a new code' },
  'consumer.otp_wrong': { 'zh-CN': '验证码错误', en: 'Wrong code' },
  'consumer.otp_expired': { 'zh-CN': '验证码已失效，请重新获取', en: 'The code has expired or was used; ask for a new one' },
  'consumer.sms_failed': { 'zh-CN': '短信发送失败，请稍后再试', en: 'The text message could not be sent; try again later' },
  'consumer.wechat_not_configured': { 'zh-CN': '未配置微信登录', en: 'WeChat sign-in is not configured' },
  'consumer.wechat_unavailable': { 'zh-CN': '微信服务暂时不可用', en: 'WeChat is not reachable right now' },
  'consumer.wechat_code_invalid': { 'zh-CN': '微信授权码无效或已使用', en: 'The WeChat authorization code is invalid or used' },
  'consumer.merge_client_refused': {
    'zh-CN': '不接受客户端的合并请求：身份只在服务器验证手机验证码或微信授权后合并',
    en: 'Merge requests from clients are refused: identities merge only on a phone code or WeChat sign-in the server verified',
  },
  'consumer.merge_already_undone': { 'zh-CN': '该合并已撤销', en: 'This merge was undone already' },
  'consumer.merge_undo_blocked': {
    'zh-CN': '无法撤销：合并后的消费者已再次合并或已删除，请先撤销后来的合并',
    en: 'Cannot undo: the consumer it went into was merged again or deleted since; undo the later merge first',
  },
  'consumer.merge_undo_points_spent': {
    'zh-CN': '无法撤销：合并转入的积分已被使用',
    en: 'Cannot undo: points the merge moved have been spent since',
  },
  'consumer.not_standing': { 'zh-CN': '该消费者已合并或已删除', en: 'This consumer was merged or deleted' },
  'membership.first_tier_zero': { 'zh-CN': '第一个等级的门槛必须为 0', en: 'The first tier must start at 0 points' },
  'membership.tiers_not_rising': { 'zh-CN': '等级门槛必须递增', en: 'Tier thresholds must rise' },
  'membership.tier_code_duplicate': { 'zh-CN': '等级代码重复', en: 'Duplicate tier code' },
  'membership.tier_unknown': { 'zh-CN': '未知的会员等级', en: 'Unknown tier' },
  'points.insufficient': { 'zh-CN': '积分不足', en: 'Not enough points' },
  'mall.out_of_stock': { 'zh-CN': '该商品已兑完', en: 'This item is out of stock' },
  'mall.idempotency_key_reused': {
    'zh-CN': '该幂等键已用于另一笔兑换',
    en: 'This idempotency key was used for another redemption',
  },
  rate_limited: { 'zh-CN': '请求过于频繁，请稍后再试', en: 'Too many requests, try again later' },
  'consumer.code_invalid': { 'zh-CN': '这不是有效的商品码', en: 'This is not a valid product code' },
  'consumer.code_unknown': {
    'zh-CN': '查询不到此码，该商品可能是假冒产品',
    en: 'This code is not known; the product may be counterfeit',
  },
  'consumer.verify_throttled': {
    'zh-CN': '隐形码错误次数过多，请稍后再试',
    en: 'Too many wrong verification codes; try again later',
  },
  'epcis.invalid_document': {
    'zh-CN': 'EPCIS 文档无效：{count} 处错误，未写入任何事件',
    en: 'The EPCIS document is invalid (problems found: {count}); no event was stored',
  },
  'epcis.not_a_document': { 'zh-CN': '不是 EPCIS 文档：{reason}', en: 'Not an EPCIS document: {reason}' },
  'epcis.schema': { 'zh-CN': '不符合 EPCIS 2.0 JSON Schema：{reason}', en: 'Does not match the EPCIS 2.0 JSON Schema: {reason}' },
  'epcis.identifier_not_uri': { 'zh-CN': '标识不是 URI：{reason}', en: 'The identifier is not a URI: {reason}' },
  // two reasons share the code (validate.ts): a bare word that is no CBV term, and a URI in the CBV namespace naming
  // no CBV 2.0 term; the reason says which, so these words must hold for both
  'epcis.unknown_cbv_term': { 'zh-CN': '未知的 CBV 术语：{reason}', en: 'Unknown CBV term: {reason}' },
  'epcis.packing_cycle': {
    'zh-CN': '装箱成环：容器不能装进它自己或它所装的码里',
    en: 'Packing cycle: a container cannot be packed into itself or into a code it contains',
  },
  'order.unknown_buyer': { 'zh-CN': '没有编码为 {value} 的客户', en: 'No customer with code {value}' },
  'order.buyer_required': { 'zh-CN': '请指定下单客户', en: 'Say which customer the order is for' },
  'order.not_your_party': { 'zh-CN': '只能为本单位下单（{value}）', en: 'You can only order for your own party ({value})' },
  'order.not_a_customer': { 'zh-CN': '{value} 不是经销商或门店，不能下单', en: '{value} is not a distributor or a store and cannot order' },
  'order.no_supplier': { 'zh-CN': '{value} 没有上游供货方', en: '{value} has no supplier' },
  'order.unknown_sku': { 'zh-CN': '没有在售的 SKU {value}', en: 'No active SKU {value}' },
  'order.duplicate_line': { 'zh-CN': 'SKU {value} 重复出现，请合并为一行', en: 'SKU {value} appears twice; put it on one line' },
  'order.bad_quantity': { 'zh-CN': '数量须为正整数（收到 {value}）', en: 'The quantity must be a positive whole number (got {value})' },
  'order.below_minimum': { 'zh-CN': '数量 {value} 低于起订量 {min}', en: 'Quantity {value} is below the minimum of {min}' },
  'order.not_case_multiple': {
    'zh-CN': '数量 {value} 须为整箱（{multiple} 的倍数）',
    en: 'Quantity {value} must be whole cases (a multiple of {multiple})',
  },
  'order.sku_not_listed': { 'zh-CN': 'SKU {value} 不在该客户的价格表中', en: "SKU {value} is not on this customer's price list" },
  'order.price_changed': {
    'zh-CN': '价格已变：您看到 {value:yuan}，现价 {current:yuan}',
    en: 'The price changed: you saw {value:yuan}, it is now {current:yuan}',
  },
  'order.wrong_status': { 'zh-CN': '订单状态为 {status}，不能执行 {decision}', en: 'The order is {status}; cannot {decision} it' },
  'order.outside_territory': {
    'zh-CN': '{value} 不在您负责的区域内，不能代其下单',
    en: '{value} is outside your territories; you cannot order on its behalf',
  },
  'order.group_buy_required': { 'zh-CN': '团购订单须指定团购活动', en: 'A group-buy order must name its group buy' },
  'order.group_buy_needs_type': {
    'zh-CN': '指定了团购活动的订单类型须为团购',
    en: 'An order naming a group buy must be of type group_buy',
  },
  'order_draft.key_reused': {
    'zh-CN': '此幂等键已用于草稿单 #{draftId}，其请求与本次不同；新的草稿请使用新的幂等键',
    en: 'This idempotency key was used for draft #{draftId} with another request; a new draft needs a new key',
  },
  'order.key_reused': {
    'zh-CN': '此幂等键已用于订单 {orderNo}，其内容与本次不同；新的订单请使用新的幂等键提交',
    en: 'This idempotency key was used for order {orderNo} with other contents; a new order needs a new key',
  },
  'order_rules.min_not_multiple': {
    'zh-CN': '起订量 {value} 须为整箱（{multiple} 的倍数）',
    en: 'The minimum {value} must be whole cases (a multiple of {multiple})',
  },
  'group_buy.unknown': { 'zh-CN': '没有编码为 {value} 的团购', en: 'No group buy with code {value}' },
  'group_buy.closed': { 'zh-CN': '团购 {value} 已结束', en: 'The group buy {value} has ended' },
  'group_buy.other_seller': { 'zh-CN': '团购 {value} 不是您的供货方发起的', en: 'The group buy {value} is not offered by your supplier' },
  'group_buy.other_product': { 'zh-CN': '{value} 不是该团购的商品', en: '{value} is not the product of this group buy' },
  'group_buy.ends_in_past': { 'zh-CN': '结束时间须在将来（收到 {value}）', en: 'The end must be in the future (got {value})' },
  'group_buy.code_taken': { 'zh-CN': '团购编码 {value} 已被使用', en: 'The group-buy code {value} is taken' },
  'order.not_yours_to_decide': { 'zh-CN': '只有供货方可以审批此订单', en: "Only the order's seller may decide on it" },
  'funds.insufficient': {
    'zh-CN': '资金不足：需要 {needed:yuan}，可用 {available:yuan}（含信用额度）',
    en: 'Insufficient funds: {needed:yuan} needed, {available:yuan} available (credit included)',
  },
  'funds.nothing_to_record': {
    'zh-CN': '请填写收款金额或信用额度',
    en: 'Give an amount received or a credit limit',
  },
  'funds.not_your_customer': {
    'zh-CN': '只能为本经销商供货的门店或下级经销商登记收款和额度：{party}',
    en: 'Only the accounts of the stores and distributors you supply can be credited: {party}',
  },
  'funds.key_reused': {
    'zh-CN': '此幂等键已用于 {party} 的一笔 {amountFen:yuan} 收款；新的收款请重新提交',
    en: 'This idempotency key was used for a deposit of {amountFen:yuan} from {party}; submit a new deposit afresh',
  },
  'pricing.unknown_group': { 'zh-CN': '没有编码为 {value} 的客户组', en: 'No customer group with code {value}' },
  'pricing.division_required': { 'zh-CN': '区域价格表须指定行政区划', en: 'A regional price list needs a division code' },
  'pricing.unknown_product': { 'zh-CN': '没有 SKU {value}', en: 'No SKU {value}' },
  'code.gone': { 'zh-CN': '码 {value} 已{status}，不能发货', en: 'Code {value} is {status} and cannot ship' },
  'code.packed_in': {
    'zh-CN': '码 {value} 装在 {parent} 里：请扫最外层的箱或托',
    en: 'Code {value} is packed in {parent}: scan the outermost case or pallet',
  },
  'code.duplicate': { 'zh-CN': '码 {value} 重复扫描', en: 'Code {value} was scanned twice' },
  'shipment.not_with_seller': { 'zh-CN': '码 {value} 不在发货方手里', en: 'Code {value} is not with the seller' },
  'shipment.mixed_places': { 'zh-CN': '一次发货的码须在同一地点', en: 'The codes of one shipment must be at one place' },
  'shipment.wrong_sku': { 'zh-CN': '订单中没有 {value}（扫到 {units} 件）', en: 'The order has no {value} ({units} units scanned)' },
  'shipment.over': {
    'zh-CN': '{value} 超发：扫到 {units} 件，订单还需 {remaining} 件',
    en: 'Too many {value}: {units} units scanned, the order still needs {remaining}',
  },
  'shipment.recalled': {
    'zh-CN': '码 {value:unit} 含已召回批次 {lot} 的商品，不能按订单发货',
    en: 'Code {value:unit} holds units of recalled lot {lot}: it cannot ship on an order',
  },
  'fulfilment.order_repeated': {
    'zh-CN': '订单 {value} 在同一批中出现了两次',
    en: 'Order {value} appears twice in the batch',
  },
  'fulfilment.scan_id_repeated': {
    'zh-CN': '扫描编号 {value} 在同一批中出现了两次',
    en: 'Scan id {value} appears twice in the batch',
  },
  'shipment.empty': { 'zh-CN': '扫到的码里没有商品单品', en: 'The scanned codes hold no units' },
  'receipt.not_on_order': { 'zh-CN': '码 {value} 不是此订单发出的', en: 'Code {value} was not shipped on this order' },
  'receipt.already_received': { 'zh-CN': '码 {value} 已收货', en: 'Code {value} was already received' },
  'receipt.nothing_to_receive': { 'zh-CN': '此订单没有待收货的码', en: 'Nothing of this order is waiting to be received' },
  'stock.unknown_party': { 'zh-CN': '没有编码为 {value} 的单位（或不在您的范围内）', en: 'No party with code {value} in your scope' },
  'stock.unknown_sku': { 'zh-CN': '没有 SKU {value}', en: 'No SKU {value}' },
  'planning.unknown_sku': { 'zh-CN': '没有 SKU {value}', en: 'No SKU {value}' },
  'planning.unknown_store': { 'zh-CN': '没有编码为 {value} 的门店（或不在您的范围内）', en: 'No store with code {value} in your scope' },
  'planning.unknown_region': {
    'zh-CN': '{value} 不是省或市的行政区划代码',
    en: '{value} is not the division code of a province or city',
  },
  'planning.store_or_region': {
    'zh-CN': '请指定门店（按日预测）或地区（按周预测），二者选一',
    en: 'Give either a store (daily forecast) or a region (weekly forecast), not both',
  },
  'planning.as_of_range': { 'zh-CN': '截止日期 {value} 须在 2000 年至 2100 年之间', en: 'The as-of day {value} must be from 2000 to 2100' },
  'planning.horizon_range': { 'zh-CN': '预测期数须在 1 到 {max} 之间', en: 'The horizon must be from 1 to {max} periods' },
  'planning.history_range': {
    'zh-CN': '历史窗口须在 8 到 {max} 期之间',
    en: 'The history window must be from 8 to {max} periods',
  },
  'planning.too_little_history': {
    'zh-CN': '历史数据不足：预测 {horizon} 期需要自首次销售起至少 {needed} 期的数据，现有 {have} 期',
    en: 'Too little history: a horizon of {horizon} needs at least {needed} periods ({unit}s) from the first sale; there are {have}',
  },
  'replenishment.party_required': { 'zh-CN': '请指定经销商或门店', en: 'Say which distributor or store' },
  'replenishment.not_a_buyer': {
    'zh-CN': '{value} 不是有上游供货方的经销商或门店，没有补货建议',
    en: '{value} is not a distributor or store with a supplier; it has no replenishment suggestions',
  },
  'replenishment.nothing_to_order': {
    'zh-CN': '{party} 目前库存充足，没有需要补货的商品',
    en: '{party} has enough stock: no suggestion has a quantity to order',
  },
  'replenishment.not_a_lane': {
    'zh-CN': '{value} 不是 {buyer} 的供货方（供货方为 {supplier}）',
    en: '{value} does not supply {buyer} (its supplier is {supplier})',
  },
  'replenishment.not_your_lane': {
    'zh-CN': '只能设置本单位供货给 {value} 的提前期',
    en: 'You can only set lead times of lanes you supply ({value})',
  },
  'draft.not_open': { 'zh-CN': '草稿状态为 {status}，不能再修改', en: 'The draft is {status} and can no longer change' },
  'draft.being_placed': { 'zh-CN': '草稿正在下单，请稍候', en: 'The draft is being placed; try again in a moment' },
  'draft.empty': { 'zh-CN': '草稿没有订单行', en: 'The draft has no lines' },
  'receipt.declared_short': {
    'zh-CN': '码 {value} 已登记为短少，请由供货方处理差异',
    en: 'Code {value} was declared short; the seller resolves that difference',
  },
  'receipt.inside_shipped': {
    'zh-CN': '码 {value} 装在本单发出的 {parent} 中，请扫描 {parent}',
    en: 'Code {value} shipped inside {parent}: scan {parent}',
  },
  'difference.already_declared': { 'zh-CN': '码 {value} 已登记过差异', en: 'A difference was already recorded for code {value}' },
  'difference.no_units': { 'zh-CN': '码 {value} 里没有商品单品', en: 'Code {value} holds no units' },
  'difference.codes_required': { 'zh-CN': '短少须扫描未到货的码', en: 'Declare a shortage by the codes that did not arrive' },
  'difference.codes_or_quantity': {
    'zh-CN': '请扫描破损的码，或填写 SKU 和数量（二选一）',
    en: 'Give either the damaged codes or a SKU and a quantity, not both',
  },
  'difference.sku_not_on_order': { 'zh-CN': '订单中没有 SKU {value}', en: 'The order has no SKU {value}' },
  'difference.more_than_received': {
    'zh-CN': '数量 {value} 超过已收且在手的 {kept} 件',
    en: 'Quantity {value} is more than the {kept} units received and kept',
  },
  'difference.wrong_party': { 'zh-CN': '这一步不由您这一方处理', en: 'This step belongs to the other party of the order' },
  'difference.already_resolved': {
    'zh-CN': '该差异已按「{resolution}」处理，不能改为其他方式',
    en: 'The difference was already resolved as {resolution}',
  },
  'difference.resolution_not_allowed': {
    'zh-CN': '{kind} 差异不能用 {value} 处理',
    en: 'A {kind} difference cannot be resolved by {value}',
  },
  'difference.stock_gone': {
    'zh-CN': '买方 {sku} 在手库存不足 {quantity} 件（现有 {onHand}），无法核销',
    en: 'The buyer no longer has {quantity} units of {sku} on hand ({onHand}) to write off',
  },
  'difference.scan_id_reused': { 'zh-CN': '扫描编号 {value} 已用于其他单据', en: 'Scan id {value} was already used for something else' },
  'order.difference_not_found': { 'zh-CN': '此订单没有编号为 {id} 的差异', en: 'This order has no difference {id}' },
  'order.return_not_found': { 'zh-CN': '此订单没有编号为 {id} 的退货', en: 'This order has no return {id}' },
  'return.code_not_delivered': { 'zh-CN': '码 {value} 不是此订单交付给您的', en: 'Code {value} was not delivered to you on this order' },
  'return.not_with_buyer': { 'zh-CN': '码 {value} 已不在您手中', en: 'Code {value} is no longer with you' },
  'return.already_returned': { 'zh-CN': '码 {value} 已退货', en: 'Code {value} was already returned' },
  'return.declared_damaged': {
    'zh-CN': '码 {value} 已登记为破损，由差异处理，不能再退货',
    en: 'Code {value} was declared damaged; its difference settles it, it cannot be returned too',
  },
  'return.more_than_kept': {
    'zh-CN': '{value} 退货 {units} 件，超过已收且在手的 {kept} 件',
    en: 'Returning {units} units of {value}, more than the {kept} received and kept',
  },
  'return.wrong_party': { 'zh-CN': '这一步不由您这一方处理', en: 'This step belongs to the other party of the order' },
  'return.code_not_in_return': { 'zh-CN': '码 {value} 不在此退货单中', en: 'Code {value} is not in this return' },
  'return.already_received': { 'zh-CN': '码 {value} 的退货已收', en: 'The return of code {value} was already received' },
  'return.nothing_to_receive': { 'zh-CN': '此退货没有待收的码', en: 'Nothing of this return is waiting to be received' },
  'stock.zero_adjustment': { 'zh-CN': '调整数量不能为 0', en: 'An adjustment cannot be zero' },
  'stock.would_go_negative': {
    'zh-CN': '调整 {delta} 后库存为负（现有 {onHand}）',
    en: 'Adjusting by {delta} would make the stock negative (on hand {onHand})',
  },
  'order.empty_file': {
    'zh-CN': '文件中没有订单行（需要 sku 和 quantity 两列）',
    en: 'The file has no order lines (columns sku and quantity)',
  },
  'epcis.capture_limit': { 'zh-CN': '一次最多采集 {limit} 个事件', en: 'At most {limit} events per capture' },
  'epcis.query_parameter': { 'zh-CN': '查询参数 {name} 的值无效：{value}', en: 'Invalid value for query parameter {name}: {value}' },
  'epcis.query_parameter_unknown': { 'zh-CN': '不支持的查询参数 {name}', en: 'Unsupported query parameter {name}' },
  'epcis.missing_field': { 'zh-CN': '缺少字段：{reason}', en: 'Missing field: {reason}' },
  'epcis.unknown_field': { 'zh-CN': '不允许的字段：{reason}', en: 'Field not allowed: {reason}' },
  'epcis.wrong_type': { 'zh-CN': '类型错误：{reason}', en: 'Wrong type: {reason}' },
  'epcis.unknown_event_type': { 'zh-CN': '未知的事件类型：{reason}', en: 'Unknown event type: {reason}' },
  'epcis.invalid_time': { 'zh-CN': '时间格式无效：{reason}', en: 'Invalid time: {reason}' },
  'scan.rejected': {
    'zh-CN': '扫码未通过：{count} 处问题，未写入任何记录',
    en: 'Scan refused (problems found: {count}); nothing was recorded',
  },
  'scan.future_time': { 'zh-CN': '扫码时间晚于当前时间', en: 'The scan time is in the future' },
  'scan.no_location': { 'zh-CN': '当前账号未关联地点，无法扫码', en: 'This account has no place to scan at' },
  'scan.order_unknown': { 'zh-CN': '没有订单号为 {value} 的订单', en: 'No order has the number {value}' },
  'scan.order_not_seller': {
    'zh-CN': '订单 {value} 不是本处销售的订单，不能在此发货',
    en: 'Order {value} is not sold by this place, so it cannot be shipped here',
  },
  'scan.order_not_buyer': {
    'zh-CN': '订单 {value} 不是本处订购的订单，不能在此收货',
    en: 'Order {value} was not placed by this place, so it cannot be received here',
  },
  'scan.order_receiver': {
    'zh-CN': '订单 {order} 的收货方是 {buyer}，不是 {value}',
    en: 'Order {order} goes to {buyer}, not to {value}',
  },
  'scan.order_not_this_step': {
    'zh-CN': '只有发货和收货扫码可以填写订单号',
    en: 'Only a ship or receive scan names an order',
  },
  'scan.not_here': { 'zh-CN': '{party} 不能执行 {kind}', en: 'A {party} cannot {kind}' },
  'scan.too_many': { 'zh-CN': '一次最多 {max} 个码', en: 'At most {max} codes per scan' },
  'scan.range': {
    'zh-CN': '号段超出批次范围（批次共 {quantity} 个码，一次最多 {max} 个）',
    en: 'The range is outside the batch ({quantity} codes; at most {max} at once)',
  },
  'code.read_twice': { 'zh-CN': '同一个码读了两次：{value}', en: 'The same code was read twice: {value}' },
  'code.unknown': { 'zh-CN': '不是本品牌发行的码（可能是伪码）：{value}', en: 'Not a code this brand issued (possibly forged): {value}' },
  'code.unknown_product': { 'zh-CN': '不是本品牌产品的码：{value}', en: "Not a code of this brand's products: {value}" },
  'code.gtin_unknown': { 'zh-CN': '没有 GTIN 为 {value} 的产品或包装', en: 'No product or packaging has GTIN {value}' },
  'code.batches_exhausted': { 'zh-CN': 'GTIN {gtin} 的批次号已用完', en: 'No batch numbers left for GTIN {gtin}' },
  'code.already_commissioned': { 'zh-CN': '该码已赋码：{value}', en: 'Already commissioned: {value}' },
  'code.not_commissioned': { 'zh-CN': '该码尚未赋码：{value}', en: 'Not commissioned yet: {value}' },
  'code.already_packed': { 'zh-CN': '该码已装入 {parent}：{value}', en: '{value} is already packed in {parent}' },
  'code.not_in_parent': { 'zh-CN': '该码不在此箱/托中：{value}', en: '{value} is not inside this container' },
  'code.in_transit': { 'zh-CN': '该码正在运输中：{value}', en: '{value} is already in transit' },
  'code.not_held': { 'zh-CN': '该码不在本处：{value}', en: '{value} is not held here' },
  'code.not_held.by': {
    'zh-CN': '该码不在本处，由 {holderName}（{holderCode}）持有：{value}',
    en: '{value} is not held here: {holderName} ({holderCode}) holds it',
  },
  'code.not_held.by_other': { 'zh-CN': '该码不在本处，由其他主体持有：{value}', en: '{value} is not held here: another party holds it' },
  'epcis.not_yours': {
    'zh-CN': '只能记录本处发生的事件：{count} 处不符，未写入任何事件',
    en: 'Only what happens at your own place can be captured (problems found: {count}); no event was stored',
  },
  'epcis.step_not_here': { 'zh-CN': '本处（{party}）不能记录 {step}', en: 'A {party} cannot capture {step}' },
  'epcis.location_required': {
    'zh-CN': '事件须注明发生地点（bizLocation 或 readPoint）',
    en: 'The event must say where it happened (bizLocation or readPoint)',
  },
  'epcis.not_your_location': { 'zh-CN': '地点不是本处：{value}', en: '{value} is not your location' },
  'epcis.code_not_held': { 'zh-CN': '该码不在本处，也未发往本处：{value}', en: '{value} is neither here nor on its way here' },
  'code.recalled': { 'zh-CN': '该码所属批次已召回（{reason}）：{value}', en: '{value} belongs to a recalled lot ({reason})' },
  'pack.wrong_count': { 'zh-CN': '数量不符：应为 {expected}，实际 {actual}', en: 'Wrong count: {expected} expected, {actual} scanned' },
  'pack.wrong_product': { 'zh-CN': '产品或包装层级不符：{value}', en: 'Wrong product or packaging level: {value}' },
  'pack.cycle': { 'zh-CN': '容器不能装入自身：{value}', en: 'A container cannot be packed into itself: {value}' },
  'pack.not_a_container': { 'zh-CN': '这不是箱码或托码：{value}', en: 'Not a case or pallet code: {value}' },
  'replace.other_product': { 'zh-CN': '新码与旧码不是同一产品：{value}', en: 'The new code is of another product: {value}' },
  'receive.not_for_you': { 'zh-CN': '该货物发往别处：{value}', en: '{value} was shipped to someone else' },
  'receive.not_for_you.to': {
    'zh-CN': '该货物发往 {holderName}（{holderCode}），不是本处：{value}',
    en: '{value} was shipped to {holderName} ({holderCode}), not here',
  },
  'receive.not_shipped': {
    'zh-CN': '该码仍在别处库存中，未发往本处：{value}（请发货方先扫码发货）',
    en: '{value} is still in another party’s stock and was not shipped here (the sender must scan it out first)',
  },
  'receive.not_shipped.by': {
    'zh-CN': '该码仍在 {holderName}（{holderCode}）的库存中，未发往本处：{value}（请发货方先扫码发货）',
    en: '{value} is still in the stock of {holderName} ({holderCode}) and was not shipped here (the sender must scan it out first)',
  },
  'scan.receiver_not_allowed': { 'zh-CN': '不能发货给 {receiver:party}', en: 'Cannot ship to {receiver:party}' },
  'scan.receiver_not_allowed.kind': {
    'zh-CN': '不能发货给 {receiver:party}：它是{kind:kind}，{place:kind}只发货给{allowed:kind}',
    en: 'Cannot ship to {receiver:party}: it is a {kind:kind}, and a {place:kind} ships only to {allowed:kind}',
  },
  'scan.receiver_not_allowed.not_own_customer': {
    'zh-CN': '不能发货给 {receiver:party}：它不是本经销商的下级客户（经销商只发货给自己供货的门店和二级经销商）',
    en: "Cannot ship to {receiver:party}: it is not one of this distributor's own customers (a distributor ships only to the stores and distributors it supplies)",
  },
  'scan.receiver_not_allowed.self': {
    'zh-CN': '不能发货给本处自己：{receiver:party}',
    en: 'Cannot ship to this place itself: {receiver:party}',
  },
  'scan.receiver_not_allowed.inactive': {
    'zh-CN': '不能发货给 {receiver:party}：该渠道成员已停用',
    en: 'Cannot ship to {receiver:party}: the party is inactive',
  },
  'scan.range_commission_only': { 'zh-CN': '只有赋码可以按标签区间扫码', en: 'Only commissioning takes a label range' },
  'scan.id_reused': {
    'zh-CN': '此扫码编号已用于另一次扫码（{kind}，{codes} 个码）；新的扫码请用新的编号',
    en: 'This scan id was used for another scan ({kind}, {codes} codes); a new scan needs a new id',
  },
  'sell.not_delivered_here': { 'zh-CN': '该码未发到本店：{value}', en: '{value} was never delivered to this store' },
  'sell.not_delivered_here.by': {
    'zh-CN': '该码未发到本店，由 {holderName}（{holderCode}）持有：{value}',
    en: '{value} was never delivered to this store: {holderName} ({holderCode}) holds it',
  },
  'sell.not_delivered_here.by_other': {
    'zh-CN': '该码未发到本店，由其他主体持有：{value}',
    en: '{value} was never delivered to this store: another party holds it',
  },
  'sell.recalled': {
    'zh-CN': '该码所属批次已召回（{reason}），不得销售，请下架：{value}',
    en: '{value} belongs to a recalled lot ({reason}): not to be sold, take it off the shelf',
  },
  'code.unrecognised': { 'zh-CN': '无法识别的码：{value}', en: 'Not a code this system understands: {value}' },
  'diversion.already_reviewed': {
    'zh-CN': '该窜货预警已由 {by} 作出另一处理结论，不能更改',
    en: 'This diversion alert was already reviewed by {by} with another decision; it cannot be changed',
  },
  'diversion.some_already_reviewed': {
    'zh-CN': '其中 {count} 条窜货预警已作出另一处理结论，不能更改；本次处理未生效',
    en: '{count} of these diversion alerts were already reviewed with another decision and cannot be changed; nothing was reviewed',
  },
  'diversion.alerts_not_found': {
    'zh-CN': '其中 {count} 条窜货预警不存在或不在您的数据范围内；本次处理未生效',
    en: '{count} of these diversion alerts do not exist or are outside your data scope; nothing was reviewed',
  },
  'diversion.alert_not_found': {
    'zh-CN': '窜货预警 {id} 不存在或不在您的数据范围内',
    en: 'Diversion alert {id} does not exist or is outside your data scope',
  },
  'webhooks.url_invalid': { 'zh-CN': '不是有效的 URL', en: 'Not a valid URL' },
  'webhooks.url_scheme': { 'zh-CN': '回调地址必须是 http 或 https', en: 'A webhook URL must be http or https' },
  'webhooks.url_credentials': { 'zh-CN': '回调地址不能包含用户名或密码', en: 'A webhook URL cannot carry a username or password' },
  'webhooks.url_private': {
    'zh-CN': '回调地址 {host} 指向内网或本机，不允许',
    en: 'The webhook URL points at a private or loopback address ({host}); refused',
  },
  'webhooks.event_type_unknown': { 'zh-CN': '未知的事件类型：{value}', en: 'Unknown event type: {value}' },
  'webhooks.too_many': { 'zh-CN': '每个租户最多 {max} 个 Webhook 订阅', en: 'A tenant can have at most {max} webhook subscriptions' },
  'webhooks.delivery_pending': {
    'zh-CN': '该投递尚未结束，结束后才能重发',
    en: 'This delivery is still pending; it can be replayed once it has finished',
  },
  'webhooks.subscription_inactive': {
    'zh-CN': '该订阅已停用，启用后才能重发',
    en: 'The subscription is paused; activate it to replay',
  },
  'import.invalid_rows': {
    'zh-CN': '导入文件有 {count} 行错误，未写入任何数据',
    en: '{count} rows of the file are invalid; nothing was imported',
  },
  'import.bad_file': { 'zh-CN': '无法读取文件：{reason}', en: 'The file cannot be read: {reason}' },
  'import.duplicate': { 'zh-CN': '文件中 {field} 重复：{value}', en: 'Duplicate {field} in the file: {value}' },
  'import.exists': { 'zh-CN': '{field} 已存在：{value}', en: '{field} already exists: {value}' },
  'import.reference': { 'zh-CN': '引用的 {field} 不存在：{value}', en: 'Referenced {field} does not exist: {value}' },
  'user.role_party': {
    'zh-CN': '角色 {role} 需要关联 {kind} 类型的渠道成员',
    en: 'Role {role} must belong to a party of kind {kind}',
  },
  'password.weak': {
    'zh-CN': '密码至少 8 位，需包含字母和数字',
    en: 'A password needs at least 8 characters with letters and digits',
  },
  'channel.ends_before_start': { 'zh-CN': '结束时间必须晚于开始时间', en: 'The end must be after the start' },
  'channel.daily_over_total': { 'zh-CN': '每日预算不能超过总预算', en: 'The daily budget cannot exceed the total budget' },
  'channel.upstream_only_sellout': {
    'zh-CN': '只有动销返利方案可以给经销商另设金额',
    en: 'Only a sell-out rebate pays the distributor an amount of its own',
  },
  'channel.one_more_per_unit': { 'zh-CN': '再来一瓶按单瓶兑付', en: 'One more is reimbursed per unit' },
  'channel.kind_fixed': { 'zh-CN': '方案类型不能修改（当前为 {kind}）', en: "A program's kind cannot change (it is {kind})" },
  'channel.program_ended': { 'zh-CN': '方案已结束，不能修改', en: 'The program has ended and cannot be changed' },
  'channel.budget_below_spent': {
    'zh-CN': '总预算不能低于已发放的 {spentFen:yuan}',
    en: 'The total budget cannot be below the {spentFen:yuan} already paid',
  },
  'channel.status_change': { 'zh-CN': '方案不能从 {from} 变为 {to}', en: 'A program cannot go from {from} to {to}' },
  'channel.key_reused': {
    'zh-CN': '该幂等键已用于另一个方案（{name}）',
    en: 'This idempotency key was used for another program ({name})',
  },
  'channel.stores_only': { 'zh-CN': '只有门店可以兑付', en: 'Only a store can redeem' },
  // the unit as printed under its QR (GTIN and serial), as the console and /m/one-more show it, not its raw link
  'channel.no_ticket': { 'zh-CN': '该码没有中奖：{value:unit}', en: 'This code did not win: {value:unit}' },
  'channel.ticket_redeemed': {
    'zh-CN': '该奖券已于 {at:time} 在 {store} 兑付',
    en: 'This ticket was already redeemed at {store} on {at:time}',
  },
  'channel.not_participating': { 'zh-CN': '本店不在任何再来一瓶活动范围内', en: 'This store takes part in no "one more" program' },
  'channel.payout_refused': { 'zh-CN': '无法兑付：{reason}', en: 'Cannot pay: {reason}' },
  'fraud.already_reviewed': {
    'zh-CN': '该风控标记已由 {by} 作出另一处理结论，不能更改',
    en: 'This flag was already reviewed by {by} with another decision; it cannot be changed',
  },
  'campaign.ends_before_start': { 'zh-CN': '结束时间必须晚于开始时间', en: 'The end must be after the start' },
  'campaign.probabilities_over_one': {
    'zh-CN': '各奖项中奖概率之和不能超过 1（现为 {sum}）',
    en: 'The tiers’ probabilities must add up to at most 1 (they add up to {sum})',
  },
  'campaign.probability_too_small': { 'zh-CN': '中奖概率最小为 0.000001', en: 'A probability must be at least 0.000001' },
  'campaign.coupon_pool_required': {
    'zh-CN': '请提供券码列表或要生成的券码数量',
    en: 'Give the coupon codes or how many codes to make',
  },
  'campaign.coupon_pool_twice': { 'zh-CN': '券码列表与生成数量只能二选一', en: 'Give either coupon codes or a count, not both' },
  'campaign.coupon_duplicate': { 'zh-CN': '券码重复：{value}', en: 'Duplicate coupon code: {value}' },
  'campaign.field_not_for_reward': { 'zh-CN': '该字段不适用于奖励类型 {type}', en: 'This field does not apply to a {type} reward' },
  'campaign.unknown_gtin': { 'zh-CN': '本品牌没有 GTIN {value}', en: 'The brand has no GTIN {value}' },
  'campaign.daily_over_total': { 'zh-CN': '每日上限不能大于总上限', en: 'A daily limit cannot exceed the total limit' },
  'campaign.budget_below_prize': {
    'zh-CN': '预算小于最小的奖项（{prizeFen} 分），一个奖也发不出',
    en: 'The budget is below the smallest prize ({prizeFen} fen): no prize could ever be paid',
  },
  'campaign.money_budget_needs_lottery': {
    'zh-CN': '金额预算仅适用于红包抽奖，积分和优惠券请用奖品数量限制',
    en: 'A budget in money is for red-packet lotteries; limit points and coupons by prize count',
  },
  'campaign.tier_has_prizes': {
    'zh-CN': '第 {tier} 个奖项已有中奖记录，不能删除',
    en: 'Tier {tier} has prizes given and cannot be removed',
  },
  'campaign.below_given': { 'zh-CN': '不能低于已发放的数量 {given}', en: 'Cannot be below what was already given ({given})' },
  'campaign.reward_type_locked': {
    'zh-CN': '活动已发放奖励，不能更改奖励类型',
    en: 'Rewards were given: the reward type cannot change',
  },
  'campaign.ended': { 'zh-CN': '活动已结束，不能修改', en: 'The campaign has ended and cannot be changed' },
  'campaign.status_change': { 'zh-CN': '活动状态不能从 {from} 改为 {to}', en: 'A campaign cannot go from {from} to {to}' },
  'campaign.already_over': { 'zh-CN': '活动结束时间已过，不能启动', en: 'The campaign’s end has passed: it cannot start' },
  'consumer.coordinates_pair': {
    'zh-CN': '位置需同时提供纬度和经度',
    en: 'A location needs both its latitude and its longitude',
  },
  'claim.wrong_code': { 'zh-CN': '隐形码错误', en: 'The hidden verification code is wrong' },
  // {why}: the refusing rules in words (fraud.why.*); the rule codes themselves are the problem's `rules` member
  'claim.fraud_refused': {
    'zh-CN': '这次领取未通过安全检查：{why}。如有疑问请联系品牌方',
    en: 'This claim did not pass the security checks: {why}. Contact the brand if this is wrong',
  },
  'fraud.why.repeat_scans': { 'zh-CN': '这个码被反复扫码', en: 'this code was scanned too many times' },
  'fraud.why.far_apart': {
    'zh-CN': '这个码在短时间内于相距很远的两地被扫',
    en: 'this code was scanned in places far apart within a short time',
  },
  'fraud.why.device_burst': { 'zh-CN': '这台设备短时间内扫码过多', en: 'this device scanned too many codes in a short time' },
  'fraud.why.address_burst': { 'zh-CN': '这个网络短时间内扫码过多', en: 'this network scanned too many codes in a short time' },
  'fraud.why.clerk_undelivered': { 'zh-CN': '这个码未发到扫码的门店', en: 'this code was never delivered to the scanning store' },
  'claim.recalled': {
    'zh-CN': '该批次已召回，不能参与活动',
    en: 'The lot of this product is recalled: it cannot take part in campaigns',
  },
  ...SIMULATION_MESSAGES,
  internal: { 'zh-CN': '服务器内部错误', en: 'Internal server error' },
  unavailable: { 'zh-CN': '服务暂不可用', en: 'Service unavailable' },
  ...PLANNING_MESSAGES,
  ...FUNDS_NOTE_MESSAGES,
};

export function message(code: string, locale: Locale, params: Record<string, unknown> = {}): string {
  const m = MESSAGES[code];
  const template = m ? m[locale] : code;
  // a schema rule's reason in the reader's language (the validator's own is English)
  const reason = params.rule === undefined ? undefined : ruleReason(params, locale);
  const filled = reason === undefined ? params : { ...params, reason };
  return template.replace(/\{(\w+)(?::(yuan|time|unit|kind|party))?\}/g, (whole, k: string, format?: string) => {
    const v = filled[k];
    if (v === undefined) return whole;
    if (format === 'kind') return kindText(v, locale);
    if (format === 'party') return partyText(v, locale);
    // amounts are kept in fen and shown as people read money (¥144.00), as the console shows them
    if (format === 'yuan') return Number.isFinite(Number(v)) ? yuan(Number(v)) : String(v);
    if (format === 'time') return chinaTime(v);
    if (format === 'unit') return unitText(v, locale);
    return String(v);
  });
}

/**
 * A unit's code as a person reads it, its GTIN and serial as printed under the QR ("GTIN 06901234001013 · serial A1"),
 * as the console's UnitCode shows it; a code that is not a unit's (an SSCC, anything else): as given.
 */
function unitText(v: unknown, locale: Locale): string {
  const code = String(v);
  const m = /\/01\/(\d{14})\/21\/([^/?#]+)/.exec(code);
  if (!m?.[1] || !m[2]) return code;
  let serial = m[2];
  try {
    serial = decodeURIComponent(serial);
  } catch {
    // not percent-encoded after all: as written
  }
  return `GTIN ${m[1]} · ${locale === 'en' ? 'serial' : '序列号'} ${serial}`;
}

/** A kind of party in words (门店, store); a list of kinds: the plural, joined (仓库、经销商; distributors and warehouses). */
const KIND_WORDS: Record<string, { 'zh-CN': string; en: string; plural: string }> = {
  brand: { 'zh-CN': '品牌方', en: 'brand', plural: 'the brand' },
  factory: { 'zh-CN': '工厂', en: 'factory', plural: 'factories' },
  warehouse: { 'zh-CN': '仓库', en: 'warehouse', plural: 'warehouses' },
  distributor: { 'zh-CN': '经销商', en: 'distributor', plural: 'distributors' },
  store: { 'zh-CN': '门店', en: 'store', plural: 'stores' },
};

/** A kind of party in the reader's words (门店, store), or undefined for a word that is not a kind. */
export function partyKindWord(kind: string, locale: Locale): string | undefined {
  return KIND_WORDS[kind]?.[locale];
}

function kindText(v: unknown, locale: Locale): string {
  if (!Array.isArray(v)) return KIND_WORDS[String(v)]?.[locale] ?? String(v);
  const words = v.map((k) => (locale === 'en' ? KIND_WORDS[String(k)]?.plural : KIND_WORDS[String(k)]?.['zh-CN']) ?? String(k));
  if (locale === 'zh-CN') return words.join('、');
  return words.length > 1 ? `${words.slice(0, -1).join(', ')} and ${words.at(-1)}` : (words[0] ?? '');
}

/** A party as a label names it: 上海中心仓（W02）, or its code alone when the reader may not see its name. */
function partyText(v: unknown, locale: Locale): string {
  const p = (v ?? {}) as { code?: unknown; name?: unknown };
  if (p.code === undefined) return String(v);
  if (p.name === undefined) return String(p.code);
  return locale === 'en' ? `${p.name} (${p.code})` : `${p.name}（${p.code}）`;
}

/**
 * An instant as a person reads it on a receipt, in China time (the brands' channel is in China; UTC+8 has no daylight
 * saving): "2026-12-05 18:54". Not an instant: as given.
 */
function chinaTime(v: unknown): string {
  const at = new Date(v instanceof Date ? v.getTime() : String(v));
  if (Number.isNaN(at.getTime())) return String(v);
  return chinaDateTimeText(at).slice(0, 16);
}

const yuan = (fen: number) =>
  `${fen < 0 ? '-' : ''}¥${(Math.abs(fen) / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

export function hasMessage(code: string): boolean {
  return code in MESSAGES;
}

/** zh-CN unless the caller prefers English (Accept-Language: en...). */
export function pickLocale(acceptLanguage: string | undefined): Locale {
  if (!acceptLanguage) return 'zh-CN';
  for (const part of acceptLanguage.split(',')) {
    const tag = part.trim().split(';')[0]?.toLowerCase() ?? '';
    if (tag.startsWith('zh')) return 'zh-CN';
    if (tag.startsWith('en')) return 'en';
  }
  return 'zh-CN';
}
