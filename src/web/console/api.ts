/**
 * The console's and clinic portal's calls to the staff API, through the browser's one client
 * (../shared/api.ts). Credentials travel as the HttpOnly `yeyak_operator` cookie set at login
 * (same origin), so no token is ever held by page script.
 */
import { api as request, ApiError, OFFLINE, type RequestOptions } from '../shared/api.ts';

export { ApiError };

/**
 * Korean wording for the errors staff meet in the console and the clinic portal (the API's own
 * messages are English); any other code shows the API's message.
 */
const MESSAGES_KO: Record<string, string> = {
  YEYAK_ERR_VALIDATION: '입력이 올바르지 않습니다.',
  YEYAK_ERR_CSV_INVALID: 'CSV 파일에 잘못된 행이 있어 아무것도 반영하지 않았습니다.',
  YEYAK_ERR_CAMPAIGN_INVALID: '캠페인 정의가 올바르지 않습니다.',
  YEYAK_ERR_CAMPAIGN_EDIT_REFUSED: '이미 사람들이 이용한 부분이라 바꿀 수 없습니다.',
  YEYAK_ERR_CAMPAIGN_EXISTS: '같은 아이디의 캠페인이 이미 있습니다.',
  YEYAK_ERR_CAMPAIGN_NOT_FOUND: '그런 캠페인이 없습니다.',
  YEYAK_ERR_CAPACITY_BELOW_BOOKED: '이미 예약된 수보다 물량을 줄일 수 없습니다.',
  YEYAK_ERR_OPERATOR_LOGIN_FAILED: '아이디 또는 비밀번호가 맞지 않습니다.',
  YEYAK_ERR_OPERATOR_LOCKED: '로그인 실패가 많아 계정이 잠시 잠겼습니다.',
  YEYAK_ERR_OPERATOR_UNAUTHENTICATED: '로그인이 필요합니다.',
  YEYAK_ERR_FORBIDDEN: '이 계정의 역할로는 할 수 없는 작업입니다.',
  YEYAK_ERR_UNAVAILABLE: '서버가 바쁘거나 저장소에 연결할 수 없습니다. 잠시 뒤 다시 시도하세요.',
  YEYAK_ERR_QUEUE_UNAVAILABLE: '대기열 저장소에 연결할 수 없습니다. 잠시 뒤 다시 시도하세요.',
  YEYAK_ERR_BODY_TOO_LARGE: '파일이 너무 큽니다. 나누어 올리세요.',
  YEYAK_ERR_APPOINTMENT_NOT_FOUND: '이 의료기관의 예약이 아닙니다. 명단을 새로 불러오세요.',
  YEYAK_ERR_APPOINTMENT_ALREADY_RECORDED: '이미 접종 완료 또는 미접종으로 처리된 예약입니다.',
  YEYAK_ERR_APPOINTMENT_NOT_DUE: '접종일 당일부터 처리할 수 있습니다.',
  YEYAK_ERR_LEFTOVER_BELOW_BOOKED: '이미 예약된 잔여 백신 수보다 적게 공개할 수 없습니다.',
};

/**
 * Calls the API under `/api/v1` with the shared client: never retried by itself (staff see the
 * refusal and decide), never kept in the browser's cache, and refusals worded in Korean.
 */
export async function api<T>(method: 'GET' | 'POST' | 'PUT', path: string, options: Pick<RequestOptions, 'body' | 'csv'> = {}): Promise<T> {
  try {
    return await request<T>(method, `/api/v1${path}`, { ...options, busyRetries: 0, cache: 'no-store' });
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    const fallback = error.code.startsWith('HTTP_') ? `요청이 실패했습니다 (${error.status}).` : error.message;
    const message = error.code === OFFLINE ? '서버에 연결할 수 없습니다. 네트워크를 확인하고 다시 시도하세요.' : (MESSAGES_KO[error.code] ?? fallback);
    throw new ApiError(error.status, error.code, message, error.details, error.retryAfterSeconds);
  }
}

/** The problems listed in an error's details (`details.problems`), if any. */
export function problemsOf(error: unknown): string[] {
  if (!(error instanceof ApiError)) return [];
  const problems = error.details?.problems;
  return Array.isArray(problems) ? problems.map(String) : [];
}

export interface Campaign {
  id: string;
  name: string;
  cohort: { bornFrom: string; bornTo: string };
  vaccine: { name: string; doses: number; intervalDays: number };
  queueOpensAt: string;
  windows: CampaignWindow[];
  proxyAllowed: boolean;
  admission: AdmissionPolicy;
}

export interface CampaignWindow {
  id: string;
  kind: string;
  opensAt: string;
  closesAt: string;
  birthDayDigits: number[] | null;
  bornFrom: string | null;
  bornTo: string | null;
}

export interface AdmissionPolicy {
  mode: 'adaptive' | 'fixed';
  ratePerSecond: number;
  maxActive: number;
}

/** Every campaign with its admission policy (operator view). */
export function listCampaigns(): Promise<Campaign[]> {
  return api<Campaign[]>('GET', '/admin/campaigns');
}
