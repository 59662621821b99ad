/** Public surface of the Kalshi exchange simulator (used by tests, the fixture generator and `sim`). */
export { startKalshiSim, REST_PREFIX, WS_PATH, type KalshiSim, type KalshiSimOptions, type KalshiSimControls, type KalshiSimStats } from './server.ts';
export { SimExchange, MM_OWNER, TAKER_OWNER, quadraticFee, type SimExchangeOptions, type ExchangeEvent } from './exchange.ts';
export { generateLadders, simFairYes, yesHolds, eventDateCode, STRIKE_STEP, type SimEventSpec, type SimMarketSpec } from './ladders.ts';
