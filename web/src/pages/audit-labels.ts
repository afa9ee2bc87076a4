/**
 * What the audit log's action and object codes mean, in zh-CN and English. The codes are the server's (appendAudit
 * calls in src/); the log shows the label with the code beside it, so an action not listed here still reads as its
 * code, and an auditor can always search by the code.
 */
type Label = readonly [zh: string, en: string];

const ACTIONS: Record<string, Label> = {
  'auth.login': ['登录', 'Signed in'],
  'auth.login_failed': ['登录失败', 'Sign-in failed'],
  'auth.account_locked': ['账号锁定', 'Account locked'],
  'apikey.create': ['创建 API 密钥', 'API key created'],
  'apikey.revoke': ['吊销 API 密钥', 'API key revoked'],
  'user.create': ['创建用户', 'User created'],
  'demo.load': ['载入演示数据', 'Demo data loaded'],
  'demo.history': ['回放演示历史', 'Demo history played'],
  'product.create': ['新建商品', 'Product created'],
  'party.create': ['新建渠道主体', 'Party created'],
  'parties.import': ['导入渠道主体', 'Parties imported'],
  'products.import': ['导入商品', 'Products imported'],
  'orders.import': ['导入订单', 'Orders imported'],
  'codes.batch.create': ['生成码批次', 'Code batch generated'],
  'codes.print_file': ['下载印刷文件', 'Print file downloaded'],
  'codes.keys.rotate': ['轮换码密钥', 'Code keys rotated'],
  'recall.open': ['发起召回', 'Recall opened'],
  'campaign.create': ['新建营销活动', 'Campaign created'],
  'campaign.update': ['修改营销活动', 'Campaign changed'],
  'campaign.rewards_paid': ['发放活动奖励', 'Campaign rewards paid out'],
  'channel_program.create': ['新建渠道激励', 'Channel programme created'],
  'channel_program.update': ['修改渠道激励', 'Channel programme changed'],
  'channel_program.status': ['渠道激励状态变更', 'Channel programme status changed'],
  'channel.one_more_redeem': ['兑付再来一瓶', '"One more" redeemed'],
  'fraud.review': ['审核风控标记', 'Fraud flag reviewed'],
  'fraud.settings': ['修改风控设置', 'Fraud settings changed'],
  'consumer.personal_data_deleted': ['消费者删除个人数据', 'Consumer deleted their data'],
  'consumers.membership_set': ['修改会员设置', 'Membership settings changed'],
  'consumers.merge_undone': ['撤销消费者合并', 'Consumer merge undone'],
  'consumers.tags_set': ['修改消费者标签', 'Consumer tags changed'],
  'mall.item_created': ['新建积分商城商品', 'Points mall item created'],
  'mall.item_changed': ['修改积分商城商品', 'Points mall item changed'],
  'funds.deposit': ['登记收款/额度', 'Deposit or credit recorded'],
  'group_buy.create': ['新建团购', 'Group buy created'],
  'pricing.list': ['修改价格表', 'Price list changed'],
  'order_rules.update': ['修改订货规则', 'Order rules changed'],
  'order_settings.update': ['修改订单设置', 'Order settings changed'],
  'order.approve': ['审批通过订单', 'Order approved'],
  'order.reject': ['驳回订单', 'Order rejected'],
  'order.cancel': ['取消订单', 'Order cancelled'],
  'order.close_backorder': ['关闭欠货', 'Back order closed'],
  'order.difference_resolve': ['处理收货差异', 'Receipt difference resolved'],
  'order_draft.create': ['新建订货草稿', 'Order draft created'],
  'order_draft.edit': ['修改订货草稿', 'Order draft changed'],
  'order_draft.place': ['草稿下单', 'Order draft placed'],
  'order_draft.discard': ['放弃订货草稿', 'Order draft discarded'],
  'stock.adjust': ['库存调整', 'Stock adjusted'],
  'replenishment.lead_times': ['修改补货提前期', 'Lead times changed'],
  'plan.create': ['新建补货计划', 'Replenishment plan created'],
  'plan.share': ['共享补货计划', 'Plan shared'],
  'plan.adjust': ['调整补货计划', 'Plan adjusted'],
  'plan.accept': ['接受补货计划', 'Plan accepted'],
  'plan.send_back': ['退回补货计划', 'Plan sent back'],
  'plan.reject': ['拒绝补货计划', 'Plan rejected'],
  'plan.order': ['计划生成订单', 'Plan turned into orders'],
  'capacity.set': ['设置产能', 'Capacity set'],
  'simulation.start': ['启动渠道仿真', 'Simulation started'],
  'webhook.create': ['新建 Webhook', 'Webhook created'],
  'webhook.update': ['修改 Webhook', 'Webhook changed'],
  'webhook.delete': ['删除 Webhook', 'Webhook deleted'],
  'webhook.replay': ['重发 Webhook', 'Webhook replayed'],
  'webhook.rotate_secret': ['轮换 Webhook 密钥', 'Webhook secret rotated'],
  deny: ['拒绝访问', 'Access denied'],
  refused: ['请求被拒', 'Request refused'],
};

const OBJECTS: Record<string, Label> = {
  api_key: ['API 密钥', 'API key'],
  campaign: ['营销活动', 'Campaign'],
  channel_program: ['渠道激励', 'Channel programme'],
  code_batch: ['码批次', 'Code batch'],
  code_keyring: ['码密钥', 'Code keys'],
  consumer: ['消费者', 'Consumer'],
  consumer_merge: ['消费者合并', 'Consumer merge'],
  diversion_alert: ['窜货预警', 'Diversion alert'],
  fraud_flag: ['风控标记', 'Fraud flag'],
  fraud_settings: ['风控设置', 'Fraud settings'],
  group_buy: ['团购', 'Group buy'],
  mall_item: ['积分商品', 'Mall item'],
  membership_settings: ['会员设置', 'Membership settings'],
  one_more_ticket: ['再来一瓶', '"One more" ticket'],
  order: ['订单', 'Order'],
  order_draft: ['订货草稿', 'Order draft'],
  order_receipt_difference: ['收货差异', 'Receipt difference'],
  order_rules: ['订货规则', 'Order rules'],
  order_settings: ['订单设置', 'Order settings'],
  party: ['渠道主体', 'Party'],
  parties: ['渠道主体', 'Parties'],
  price_list: ['价格表', 'Price list'],
  product: ['商品', 'Product'],
  products: ['商品', 'Products'],
  orders: ['订单', 'Orders'],
  production_capacity: ['产能', 'Production capacity'],
  recall: ['召回', 'Recall'],
  replenishment_lane: ['补货线路', 'Replenishment lane'],
  replenishment_plan: ['补货计划', 'Replenishment plan'],
  simulation_run: ['仿真', 'Simulation'],
  stock_adjustment: ['库存调整', 'Stock adjustment'],
  tenant: ['品牌', 'Brand'],
  user: ['用户', 'User'],
  webhook_delivery: ['Webhook 投递', 'Webhook delivery'],
  webhook_subscription: ['Webhook', 'Webhook'],
};

const pick = (label: Label | undefined, en: boolean) => (label ? label[en ? 1 : 0] : undefined);

/** An action's label, or its code when it has none. */
export function auditActionLabel(action: string, en: boolean): string {
  return pick(ACTIONS[action], en) ?? action;
}

/** The object an entry is about: its kind's label and its id. */
export function auditObjectLabel(type: string, id: string | number | null | undefined, en: boolean): string {
  const kind = pick(OBJECTS[type], en) ?? type;
  return id === null || id === undefined ? kind : `${kind} #${id}`;
}
