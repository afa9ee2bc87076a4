export { allDivisions, childDivisions, type Division, divisionName, loadDivisions, regionName } from './divisions.ts';
export { escapeLike, getParty, listParties, type PartyListQuery, partyOverview } from './party-queries.ts';
export {
  checkParty,
  PARTY_KINDS,
  type PartyInput,
  type PartyKind,
  receiversOf,
  type ShipRefusal,
  shipRefusal,
  type ValidParty,
} from './party-rules.ts';
export { insertParties } from './party-writes.ts';
export { placeName } from './places.ts';
export { listShipReceivers, type ShipReceiver } from './ship-receivers.ts';
