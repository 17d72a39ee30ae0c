/** What `/ready` says about an external store (Postgres, Redis). */
export interface StoreStatus {
  reachable: boolean;
  checkedAt?: string;
  error?: string;
}
