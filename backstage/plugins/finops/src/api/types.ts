// The API's wire types, taken from the schema that openapi-typescript generates out of the
// committed OpenAPI snapshot (openapi/openapi.json). Nothing here is written by hand: a field
// renamed or removed in the API fails `tsc` wherever the plugin reads it.
import type { components, paths } from './schema';

type Schemas = components['schemas'];

export type CostReport = Schemas['CostReport'];
export type CostRow = Schemas['CostRow'];
export type CompareReport = Schemas['CompareReport'];
export type CompareRow = Schemas['CompareRow'];
export type VarianceReport = Schemas['VarianceReport'];
export type VarianceRow = Schemas['VarianceRow'];
export type PricingView = Schemas['PricingView'];
export type PricingViewDetail = Schemas['PricingViewDetail'];
export type SimulationCreate = Schemas['SimulationCreate'];
export type Adjustment = Schemas['Adjustment'];
export type SimulationPreviewRequest = Schemas['SimulationPreviewRequest'];
export type SimulationPreview = Schemas['SimulationPreview'];
export type Application = Schemas['Application'];
export type Product = Schemas['Product'];
export type Family = Schemas['Family'];
export type Domain = Schemas['Domain'];
export type AllocationExplanation = Schemas['AllocationExplanation'];
export type AllocationShare = Schemas['AllocationShare'];
export type Load = Schemas['Load'];
export type StaleMonth = Schemas['StaleMonth'];
export type MappingCoverage = Schemas['MappingCoverage'];
export type SourceCoverage = Schemas['SourceCoverage'];
export type ProblemDetails = Schemas['ProblemDetails'];
export type Me = Schemas['Me'];

type QueryOf<P extends keyof paths> = paths[P] extends { get: { parameters: { query?: infer Q } } }
  ? NonNullable<Q>
  : never;

export type CostQuery = QueryOf<'/api/v1/costs'>;
export type CompareQuery = QueryOf<'/api/v1/costs/compare'>;
export type ExportQuery = QueryOf<'/api/v1/costs/export'>;
export type VarianceQuery = QueryOf<'/api/v1/costs/variance'>;
export type ApplicationQuery = QueryOf<'/api/v1/applications'>;
export type ProductQuery = QueryOf<'/api/v1/products'>;
export type ExplainQuery = QueryOf<'/api/v1/allocations/explain'>;
export type LoadQuery = QueryOf<'/api/v1/loads'>;
export type CoverageQuery = QueryOf<'/api/v1/mapping/coverage'>;

/** The keys a cost report can be grouped by, as the API spells them. */
export type GroupKey = Exclude<keyof CostRow, 'unit' | 'quantity' | 'cost' | 'priced'>;
