// Drives the loopback job server with Esri's own client, unmodified: submit, poll, results,
// cancel, failure and error bodies. Prints one JSON line of findings; exits 1 on any mismatch.
import { Job, request } from "@esri/arcgis-rest-request";

const [base, token] = process.argv.slice(2);
const service = `${base}/arcgis/rest/services/Demo/GPServer`;
const auth = token ? { authentication: token } : {};
const findings = {};
const problems = [];
const check = (ok, what) => { if (!ok) problems.push(what); };

// 1. submit → wait → every result
const job = await Job.submitJob({
  url: `${service}/EsriQuick/submitJob`, params: { distance: 5, flag: true, where: { a: 1 } },
  pollingRate: 100, ...auth,
});
findings.jobId = job.id;
check(/^j[0-9a-f]{32}$/.test(job.id), "jobId shape");
const info = await job.waitForCompletion();
findings.finalStatus = info.status;
check(info.status === "Succeeded", `final status ${info.status}`);
const results = await job.getAllResults();
findings.resultNames = Object.keys(results).sort();
check(results.out_count?.value === 42 && results.out_count?.dataType === "GPLong", "GPLong result");
check(Array.isArray(results.out_table?.value?.features), "GPRecordSet result");
const input = await request(`${job.jobUrl}/inputs/distance`, auth);
check(input.value === "5", `input echoed: ${JSON.stringify(input)}`);

// 2. cancel a running job
const long = await Job.submitJob({ url: `${service}/EsriLong`, params: {}, ...auth });
const cancelled = await long.cancelJob();
findings.cancelAnswer = cancelled.jobStatus;
check(["esriJobCancelling", "esriJobCancelled"].includes(cancelled.jobStatus), "cancel answer");
await new Promise((resolve) => setTimeout(resolve, 500));
findings.afterCancel = (await long.getJobInfo()).status;
check(findings.afterCancel === "Cancelled", `after cancel: ${findings.afterCancel}`);

// 3. a failing job rejects waitForCompletion with the job's info
const failing = await Job.submitJob({ url: `${service}/EsriFails`, params: {}, pollingRate: 100, ...auth });
try {
  await failing.waitForCompletion();
  problems.push("failed job resolved");
} catch (error) {
  findings.failedStatus = error.jobInfo?.status;
  check(error.jobInfo?.status === "Failed", "failed job status");
}

// 4. error bodies become ArcGISRequestError with the server's code
try {
  await request(`${service}/EsriQuick/jobs/jnotajob`, auth);
  problems.push("unknown job did not throw");
} catch (error) {
  findings.unknownJob = { name: error.name, code: error.code };
  check(error.code === 400, `unknown job error code ${error.code}`);
}

findings.problems = problems;
console.log(JSON.stringify(findings));
process.exit(problems.length ? 1 : 0);
