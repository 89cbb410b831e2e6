// Friendly names for the TypeScript types generated from the spec (src/openapi/generated).
import type { components } from './generated/directEarn.js';

type Schemas = components['schemas'];
export type DirectEarnRequest = Schemas['DirectEarnRequest'];
export type PromotionDetails = Schemas['PromotionDetails'];
export type CustomerIdentifier = Schemas['CustomerIdentifier'];
export type DirectEarnResponse = Schemas['DirectEarnResponse'];
export type EntityResponse = Schemas['EntityResponse'];
export type EarnResult = Schemas['EarnResult'];
export type EntityMessage = Schemas['Message'];
export type HttpErrorBody = Schemas['HttpError'];
export type IdentifierName = DirectEarnRequest['identifierName'];
export type EntityType = DirectEarnRequest['type'];
