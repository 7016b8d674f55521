// Validates Kubernetes objects with kubernetes-models' validators, compiled from the Kubernetes API's JSON schemas
// (types, formats, required fields). Reads a JSON array of objects on stdin and prints a JSON array of problems, each
// "Kind name: what is wrong".  node kubernetes-models-validate.mjs INSTALL_DIR < objects.json
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [installDir] = process.argv.slice(2);
const chunks = [];
for await (const chunk of process.stdin) {
  chunks.push(chunk);
}

const problems = [];
for (const object of JSON.parse(Buffer.concat(chunks).toString("utf8"))) {
  const what = `${object.kind} ${object.metadata?.name ?? "(no name)"}`;
  // The package lays its models out by API version: v1/Namespace.js, apps/v1/Deployment.js, ...
  const file = join(installDir, "node_modules", "kubernetes-models", object.apiVersion ?? "", `${object.kind}.js`);
  let Model;
  try {
    Model = (await import(pathToFileURL(file).href))[object.kind];
  } catch {
    Model = undefined;
  }

  if (typeof Model !== "function") {
    problems.push(`${what}: apiVersion ${object.apiVersion} kind ${object.kind} has no kubernetes-models schema.`);
    continue;
  }

  try {
    new Model(object).validate();
  } catch (error) {
    problems.push(`${what}: ${error.message}`);
  }
}

process.stdout.write(JSON.stringify(problems));
