/**
 * The store on S3 or any S3-compatible service: {@link dev.stasis.s3.S3Backend} keeps
 * Dysnomia's layout under {@code s3://bucket/prefix}, writes objects by streaming (multipart
 * for large ones), and makes generation numbers unique with conditional writes.
 */
package dev.stasis.s3;
