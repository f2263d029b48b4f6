// The country each cloud region runs in (ISO 3166-1 alpha-2), for tenants' residency: a dedicated
// tenant that must stay in Germany may use aws eu-central-1, gcp europe-west3 or alicloud
// eu-central-1, and nothing else. Every region of the three catalogs is listed (a test holds them
// together); a region added to a catalog without its country here is refused by that test, not
// silently left out of every residency list. Hong Kong and Taiwan have codes of their own (HK, TW).
// Sources, checked 2026-11-25: each cloud's region pages named in config/catalog/{aws,gcp,alicloud}.ts
// (the city or country of every region code).
import type { CloudName } from "../schema";

const AWS: Readonly<Record<string, string>> = {
    "us-east-1": "US", // N. Virginia
    "us-east-2": "US", // Ohio
    "us-west-2": "US", // Oregon
    "ca-central-1": "CA", // Montreal
    "ca-west-1": "CA", // Calgary
    "mx-central-1": "MX", // Querétaro
    "sa-east-1": "BR", // São Paulo
    "eu-central-1": "DE", // Frankfurt
    "eu-central-2": "CH", // Zurich
    "eu-west-1": "IE", // Ireland
    "eu-west-2": "GB", // London
    "eu-west-3": "FR", // Paris
    "eu-north-1": "SE", // Stockholm
    "eu-south-1": "IT", // Milan
    "eu-south-2": "ES", // Aragón
    "af-south-1": "ZA", // Cape Town
    "il-central-1": "IL", // Tel Aviv
    "me-central-1": "AE", // UAE
    "me-south-1": "BH", // Bahrain
    "ap-east-1": "HK", // Hong Kong
    "ap-east-2": "TW", // Taipei
    "ap-south-1": "IN", // Mumbai
    "ap-south-2": "IN", // Hyderabad
    "ap-northeast-1": "JP", // Tokyo
    "ap-northeast-2": "KR", // Seoul
    "ap-northeast-3": "JP", // Osaka
    "ap-southeast-1": "SG", // Singapore
    "ap-southeast-2": "AU", // Sydney
    "ap-southeast-3": "ID", // Jakarta
    "ap-southeast-4": "AU", // Melbourne
    "ap-southeast-5": "MY", // Malaysia
    "ap-southeast-6": "NZ", // New Zealand
    "ap-southeast-7": "TH", // Thailand
};

const GCP: Readonly<Record<string, string>> = {
    "africa-south1": "ZA", // Johannesburg
    "asia-east1": "TW", // Changhua County
    "asia-east2": "HK", // Hong Kong
    "asia-northeast1": "JP", // Tokyo
    "asia-northeast2": "JP", // Osaka
    "asia-northeast3": "KR", // Seoul
    "asia-south1": "IN", // Mumbai
    "asia-south2": "IN", // Delhi
    "asia-southeast1": "SG", // Singapore
    "asia-southeast2": "ID", // Jakarta
    "australia-southeast1": "AU", // Sydney
    "australia-southeast2": "AU", // Melbourne
    "europe-central2": "PL", // Warsaw
    "europe-north1": "FI", // Hamina
    "europe-north2": "SE", // Stockholm
    "europe-southwest1": "ES", // Madrid
    "europe-west1": "BE", // St. Ghislain
    "europe-west2": "GB", // London
    "europe-west3": "DE", // Frankfurt
    "europe-west4": "NL", // Eemshaven
    "europe-west6": "CH", // Zurich
    "europe-west8": "IT", // Milan
    "europe-west9": "FR", // Paris
    "europe-west10": "DE", // Berlin
    "europe-west12": "IT", // Turin
    "me-central1": "QA", // Doha
    "me-central2": "SA", // Dammam
    "me-west1": "IL", // Tel Aviv
    "northamerica-northeast1": "CA", // Montréal
    "northamerica-northeast2": "CA", // Toronto
    "northamerica-south1": "MX", // Querétaro
    "southamerica-east1": "BR", // São Paulo
    "southamerica-west1": "CL", // Santiago
    "us-central1": "US", // Iowa
    "us-east1": "US", // South Carolina
    "us-east4": "US", // N. Virginia
    "us-east5": "US", // Columbus
    "us-south1": "US", // Dallas
    "us-west1": "US", // Oregon
    "us-west2": "US", // Los Angeles
    "us-west3": "US", // Salt Lake City
    "us-west4": "US", // Las Vegas
};

const ALICLOUD: Readonly<Record<string, string>> = {
    "cn-hangzhou": "CN",
    "cn-shanghai": "CN",
    "cn-qingdao": "CN",
    "cn-beijing": "CN",
    "cn-zhangjiakou": "CN",
    "cn-huhehaote": "CN", // Hohhot
    "cn-shenzhen": "CN",
    "cn-chengdu": "CN",
    "cn-hongkong": "HK",
    "ap-southeast-1": "SG", // Singapore
    "ap-southeast-3": "MY", // Kuala Lumpur
    "ap-southeast-5": "ID", // Jakarta
    "ap-northeast-1": "JP", // Tokyo
    "us-west-1": "US", // Silicon Valley
    "us-east-1": "US", // Virginia
    "eu-central-1": "DE", // Frankfurt
    "eu-west-1": "GB", // London
    "me-central-1": "AE", // Dubai
};

export const COUNTRIES: Readonly<Record<CloudName, Readonly<Record<string, string>>>> = { aws: AWS, gcp: GCP, alicloud: ALICLOUD };

/** The country a cloud region runs in; undefined for a region the catalog does not know. */
export function countryOf(cloud: CloudName, regionCode: string): string | undefined {
    return Object.hasOwn(COUNTRIES[cloud], regionCode) ? COUNTRIES[cloud][regionCode] : undefined;
}
