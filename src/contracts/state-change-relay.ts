// The host behind --state-change-url is as untrusted as the target: pact-verifier would follow its
// redirects and read its answers whole, so it reaches that host through a bounded recording proxy.
import { type RecordingProxy, startRecordingProxy } from './recording-proxy.js';

/** A --state-change-url behind its own bounded recording proxy (see stateChangeRelay). */
export interface StateChangeRelay {
  /** What the verifier gets: the proxy's origin, the URL's path and query. */
  url: string;
  proxy: RecordingProxy;
  /** Aborted once the host broke a bound: the verifier would retry the proxy's 502 for minutes. */
  stop: AbortSignal;
  close(): Promise<void>;
}

/**
 * A recording proxy in front of a --state-change-url's origin: the verifier follows redirects and
 * reads whole answers, the proxy neither. Once that host broke a bound the run has failed, and the
 * verifier (which retries a failed state change with growing pauses) is stopped.
 */
export async function stateChangeRelay(stateChangeUrl: string): Promise<StateChangeRelay> {
  const u = new URL(stateChangeUrl);
  const proxy = await startRecordingProxy(u.origin, { keepBodies: false });
  const stopper = new AbortController();
  const watch = setInterval(() => {
    if (proxy.tripped() !== undefined) stopper.abort();
  }, 200);
  watch.unref();
  return {
    url: `${proxy.url}${u.pathname}${u.search}`,
    proxy,
    stop: stopper.signal,
    close: async () => {
      clearInterval(watch);
      await proxy.close();
    },
  };
}
