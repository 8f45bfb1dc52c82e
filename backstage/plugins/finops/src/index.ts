export { finopsPlugin as default, rootRouteRef } from './plugin';
export { finopsApiRef, type FinopsApi } from './api/FinopsApi';
export { FinopsClient } from './api/FinopsClient';
export { FinopsApiError } from './api/errors';
export { APPLICATION_ANNOTATION } from './lib/entityApplications';
