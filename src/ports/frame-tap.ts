/**
 * What the adapters received, as they received it (`--record`, SPEC §9): every websocket text frame and
 * every HTTP answer, with its receipt time on the run's clock. Adapters call a tap only when given one (a
 * single optional-chaining check per message when absent). A tap must not throw and must not keep the
 * caller waiting: recorders buffer and write in the background.
 */

/** Where a message came from: the Kalshi websocket / REST, an index feed (`polygon`, `massive`), Massive REST. */
export type TapSource = 'kalshi-ws' | 'kalshi-rest' | 'polygon' | 'massive' | 'massive-rest';

export interface FrameTap {
  /** One websocket text frame, exactly as received. */
  ws(source: TapSource, text: string, receivedMs: number): void;
  /**
   * One HTTP exchange: the request line (path with query, relative to the adapter's base URL) and the answer
   * — status and body — or `status` 0 with an empty body when no answer came (network error, timeout).
   */
  http(source: TapSource, method: string, pathAndQuery: string, status: number, body: string, receivedMs: number): void;
}
