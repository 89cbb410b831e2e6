// A consumer in Java using the directearn stub, JDK only (java.net.http): start
// `directearn serve --admin --port 0 --ready-file F`, wait for F, put the stub into a provider
// state, assert the documented case, read the ledger, stop the stub. Exits 1 on any failed check.
//
// Run: javac -d out DirectEarnStubExample.java && java -cp out DirectEarnStubExample
// DIRECTEARN_CMD says how to run directearn (default "npx --no directearn").

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

public final class DirectEarnStubExample {
  private static final String ENDPOINT = "/v2/promotion/bulk/directEarn";
  private static final String BASIC =
      "Basic " + Base64.getEncoder().encodeToString("directearn:directearn".getBytes(StandardCharsets.UTF_8));
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  public static void main(String[] args) throws Exception {
    Path ready = Files.createTempDirectory("directearn-").resolve("ready.json");
    String cmd = System.getenv().getOrDefault("DIRECTEARN_CMD", "npx --no directearn");
    List<String> command = new ArrayList<>(Arrays.asList(cmd.trim().split("\\s+")));
    command.addAll(List.of("serve", "--admin", "--port", "0", "--ready-file", ready.toString()));
    Process stub = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    long pid = -1;
    try {
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (!Files.exists(ready)) {
        if (!stub.isAlive()) throw new IllegalStateException("directearn serve exited with " + stub.exitValue());
        if (System.nanoTime() > deadline) throw new IllegalStateException("directearn serve was not ready in 60 s");
        Thread.sleep(50);
      }
      String readyJson = Files.readString(ready);
      String url = field(readyJson, "\"url\":\"([^\"]+)\"");
      pid = Long.parseLong(field(readyJson, "\"pid\":(\\d+)"));

      // promotion 56800 of program 469 is inactive -> the endpoint answers 8892 for every customer.
      HttpResponse<String> state = post(url + "/_admin/provider-states",
          "{\"state\":\"promotion {promotionId} of program {programId} is inactive\","
              + "\"params\":{\"programId\":469,\"promotionId\":56800}}", null);
      check(state.statusCode() == 200, "state set: " + state.body());
      HttpResponse<String> inactive = post(url + ENDPOINT, request(469, 56800, "98662653"), BASIC);
      check(inactive.statusCode() == 200 && inactive.body().contains("\"code\":8892"),
          "8892 for an inactive promotion: " + inactive.body());

      // An active promotion earns; the ledger shows the earn.
      HttpResponse<String> earned = post(url + ENDPOINT, request(469, 56799, "98662653"), BASIC);
      String earnedId = field(earned.body(), "\"earnedId\":\"(\\d+)\"");
      String ledger = HTTP.send(HttpRequest.newBuilder(URI.create(url + "/_admin/ledger")).GET().build(),
          HttpResponse.BodyHandlers.ofString()).body();
      check(ledger.contains("\"earnedId\":\"" + earnedId + "\"") && ledger.contains("\"customerId\":98662653"),
          "the ledger lists earnedId " + earnedId + ": " + ledger);
      System.out.println("OK: 8892 for an inactive promotion, earnedId " + earnedId + " in the ledger");
    } finally {
      if (pid > 0) ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy); // SIGTERM to directearn itself
      else {
        stub.descendants().forEach(ProcessHandle::destroy); // under npx, directearn is a descendant
        stub.destroy();
      }
      stub.waitFor();
    }
  }

  private static String request(long program, long promotion, String customer) {
    return "{\"type\":\"CUSTOMER\",\"promotionDetails\":{\"programId\":" + program + ",\"promotionId\":" + promotion
        + "},\"identifierName\":\"id\",\"customers\":[{\"identifierValue\":\"" + customer + "\",\"source\":\"INSTORE\"}]}";
  }

  private static HttpResponse<String> post(String url, String json, String auth) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
    if (auth != null) b.header("Authorization", auth);
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String field(String json, String regex) {
    Matcher m = Pattern.compile(regex).matcher(json);
    if (!m.find()) throw new IllegalStateException("no " + regex + " in " + json);
    return m.group(1);
  }

  private static void check(boolean ok, String what) {
    // Thrown, not System.exit: the finally block must still stop the stub.
    if (!ok) throw new AssertionError("FAILED: " + what);
  }
}
