export { allDivisions, childDivisions, divisionName, loadDivisions, type Division } from './divisions.ts';
export { PARTY_KINDS, type PartyInput, type PartyKind, type ValidParty, checkParty } from './party-rules.ts';
export { insertParties } from './party-writes.ts';
export { getParty, listParties, partyOverview, type PartyListQuery } from './party-queries.ts';
