// chai-passport-strategy 3 ships no types: the part of its API these tests use.
declare module 'chai-passport-strategy' {
  /** The stand-in request chai-passport-strategy hands to the strategy. */
  export interface MockRequest {
    method: string;
    url: string;
    headers: Record<string, string>;
    [key: string]: unknown;
  }

  /** One strategy run: register a callback per action, prepare the request, then authenticate. */
  export interface StrategyTest {
    request(prepare: (req: MockRequest) => void): this;
    success(callback: (this: MockRequest, user: unknown, info?: unknown) => void): this;
    fail(callback: (this: MockRequest, challenge?: unknown, status?: number) => void): this;
    redirect(callback: (this: MockRequest, url: string, status?: number) => void): this;
    pass(callback: (this: MockRequest) => void): this;
    error(callback: (this: MockRequest, error: unknown) => void): this;
    authenticate(options?: object): void;
  }

  /** What the plugin adds to the value `chai.use()` returns (chai 5+). */
  export interface ChaiPassport {
    use(strategy: object): StrategyTest;
  }

  const plugin: (chai: object, utils: unknown) => void;
  export default plugin;
}
