import { createApiRef } from '@backstage/frontend-plugin-api';
import type {
  AllocationExplanation,
  Application,
  CompareQuery,
  CompareReport,
  CostQuery,
  CostReport,
  Domain,
  ExplainQuery,
  Family,
  Load,
  MappingCoverage,
  Me,
  PricingView,
  PricingViewDetail,
  Product,
  SimulationCreate,
  SimulationPreview,
  SimulationPreviewRequest,
  ExportQuery,
  VarianceQuery,
  VarianceReport,
} from './types';

/** The FinOps API as the plugin uses it; every call goes through the Backstage proxy. */
export interface FinopsApi {
  getCosts(query: CostQuery): Promise<CostReport>;
  compareCosts(query: CompareQuery): Promise<CompareReport>;
  getVariance(query: VarianceQuery): Promise<VarianceReport>;
  /** The rows of /costs as a file (CSV or Parquet), every row, as the API streams it. */
  exportCosts(query: ExportQuery): Promise<Blob>;
  listPricingViews(): Promise<PricingView[]>;
  getPricingView(code: string): Promise<PricingViewDetail>;
  createSimulation(simulation: SimulationCreate): Promise<PricingViewDetail>;
  /** Adjustments applied by the API to a base view, nothing saved: each group's cost both ways. */
  previewSimulation(request: SimulationPreviewRequest): Promise<SimulationPreview>;
  deletePricingView(code: string): Promise<void>;
  listApplications(owner?: string): Promise<Application[]>;
  listProducts(): Promise<Product[]>;
  listFamilies(): Promise<Family[]>;
  listDomains(): Promise<Domain[]>;
  explainAllocation(query: ExplainQuery): Promise<AllocationExplanation>;
  listLoads(month?: string): Promise<Load[]>;
  getMappingCoverage(month: string): Promise<MappingCoverage>;
  /** The signed-in user as the API sees it (role, ownership) and what it may do. */
  getMe(): Promise<Me>;
}

export const finopsApiRef = createApiRef<FinopsApi>({ id: 'plugin.finops.api' });
