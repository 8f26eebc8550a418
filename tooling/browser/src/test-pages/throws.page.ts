/** Harness self-test page: an error thrown in the page comes back with the page console. */
export default async function throws(input: { message: string }) {
  console.log('about to throw');
  throw new Error(input.message);
}
