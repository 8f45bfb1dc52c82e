import type { ProblemDetails } from './types';

/**
 * An answer of the FinOps API other than 2xx. The API answers every error as
 * application/problem+json (RFC 9457); the proxy or a gateway may not, so the body is optional.
 */
export class FinopsApiError extends Error {
  readonly status: number;
  readonly problem: ProblemDetails | undefined;

  constructor(status: number, problem: ProblemDetails | undefined, fallback: string) {
    super(problem?.detail ?? problem?.title ?? fallback);
    this.name = 'FinopsApiError';
    this.status = status;
    this.problem = problem;
  }
}

function isProblem(body: unknown): body is ProblemDetails {
  return (
    typeof body === 'object' &&
    body !== null &&
    typeof (body as { status?: unknown }).status === 'number' &&
    typeof (body as { title?: unknown }).title === 'string'
  );
}

export async function errorFrom(response: Response): Promise<FinopsApiError> {
  const text = await response.text();
  let problem: ProblemDetails | undefined;
  try {
    const body: unknown = JSON.parse(text);
    problem = isProblem(body) ? body : undefined;
  } catch {
    problem = undefined;
  }
  return new FinopsApiError(
    response.status,
    problem,
    `${response.status} ${response.statusText || 'error'} from the FinOps API`,
  );
}

/** The parameters a 400 answer refused, by name (none for any other error). */
export function refusedParameters(error: Error | undefined): string[] {
  if (!(error instanceof FinopsApiError) || error.status !== 400) return [];
  return (error.problem?.invalid_params ?? []).map(param => param.name);
}

/** What a person should do about an error: the one sentence shown above its detail. */
export function adviceFor(error: Error): { title: string; advice: string } {
  const status = error instanceof FinopsApiError ? error.status : undefined;
  const refused = refusedParameters(error);
  if (refused.includes('in_currency')) {
    return {
      title: 'No exchange rates for this currency',
      advice:
        'Some months of this period have costs in a currency without an exchange rate into the one chosen ' +
        'under Amounts in, so they cannot be added up in it. Choose “currency billed” or another currency; ' +
        'the FinOps team adds exchange rates in the pricing files.',
    };
  }
  if (refused.includes('view') || refused.includes('against')) {
    return {
      title: 'Unknown pricing view',
      advice:
        'This pricing view does not exist, or no longer does: a simulation may have been deleted. ' +
        'Choose another pricing view above.',
    };
  }
  switch (status) {
    case 401:
      return {
        title: 'Sign-in needed',
        advice:
          'The FinOps API did not accept your Backstage identity. Sign in again; if it persists, ' +
          'check that the proxy endpoint /finops forwards credentials (credentials: forward).',
      };
    case 403:
      return {
        title: 'Not allowed',
        advice:
          'Your role does not allow this. Ask a FinOps admin for the finance role to save ' +
          'simulations, or for access to the applications you want to see.',
      };
    case 404:
      return {
        title: 'Not found',
        advice: 'The FinOps API does not know this item: it may have been deleted.',
      };
    case 502:
    case 503:
    case 504:
      return {
        title: 'FinOps API unavailable',
        advice:
          'The FinOps API or its database is not answering right now. Try again in a minute; ' +
          'if it persists, tell the platform team (the API health is at /api/v1/health).',
      };
    default:
      if (status !== undefined && status >= 400 && status < 500) {
        return { title: 'Request refused', advice: 'The FinOps API refused these parameters.' };
      }
      return {
        title: 'FinOps API error',
        advice: 'The FinOps API could not be reached through the Backstage proxy (/api/proxy/finops).',
      };
  }
}
